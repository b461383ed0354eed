"""What the work keys (issue 18) act on and when they apply: the request on the detail
screen, else the one under the queue's cursor (or an escalation's request); the role the
store will check (POLICY.md section 8: every desk role) and the request's state (resolve
an open one, reopen a resolved one, respond once to a call). Plain answers, so the
footer, the refusals and the palette ask the same question."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from console.domain.permissions import Action, refusal
from console.domain.sla import Channel
from console.store.request_page import read_page
from console.ui.acting import Acting, Host
from console.ui.format import inert, short_day_time
from console.ui.model import Pane
from console.ui.screens.detail import DetailScreen

if TYPE_CHECKING:
    from textual.screen import Screen


NEEDS: dict[str, Action] = {
    "new_request": Action.LOG_REQUEST,
    "respond": Action.RESPOND,
    "note": Action.NOTE,
    "log_work": Action.LOG_WORK,
    "timer": Action.LOG_WORK,
    "resolve": Action.RESOLVE,
    "reopen": Action.REOPEN,
}
#: A timer stopped sooner logs nothing (the store takes whole spans; a slip of the key).
MINUTE = timedelta(minutes=1)
#: Channels whose response is a reply the customer reads (mailed, shown on the portal).
REPLIED = {Channel.EMAIL.value, Channel.PORTAL.value}


class WorkHost(Host, Protocol):
    """What the work actions need of the console beyond `Host`."""

    @property
    def screen(self) -> Screen[Any]: ...

    def run_worker(
        self,
        work: Any,
        name: str | None = ...,
        group: str = ...,
        description: str = ...,
        exit_on_error: bool = ...,
        start: bool = ...,
        exclusive: bool = ...,
        thread: bool = ...,
    ) -> Any: ...

    def call_from_thread(self, callback: Callable[..., Any], *args: Any) -> Any: ...

    def refresh_bindings(self) -> None: ...

    def jump_to(self, request_id: int) -> None: ...

    @property
    def screen_stack(self) -> list[Screen[Any]]: ...


@dataclass(frozen=True)
class Target:
    """The request a work key acts on, as the person saw it when pressing the key."""

    id: int
    version: int
    customer: str
    summary: str
    channel: str
    status: str
    first_response_at: datetime | None
    #: Has escalations: a resolve closes them and a reopen does not bring them back.
    escalated: bool

    @property
    def about(self) -> str:
        return f"#{self.id} {inert(self.customer)} · {inert(self.summary)[:60]}"


def open_detail(host: Any, request_id: int) -> DetailScreen:
    """A detail screen for `request_id` that reads the request on a worker (now and on
    every `reload`), never on the UI thread."""

    def reload(screen: DetailScreen) -> None:
        def load() -> None:
            page = read_page(host.board, request_id)
            host.call_from_thread(screen.show, page, host.clock.now())

        host.run_worker(load, thread=True, group="detail", exit_on_error=False)

    screen = DetailScreen(request_id, host.sla, reload)
    screen.timer_since = getattr(host, "work", None) and host.work.timers.get(request_id)
    screen.reload()
    return screen


class WorkBase(Acting):
    """What every work key shares; `timers` holds this console's running work timers."""

    host: WorkHost

    def __init__(self, host: WorkHost, record: Any) -> None:
        super().__init__(host, record)
        #: Request id to when its work timer started (this console's clock).
        self.timers: dict[int, datetime] = {}

    # -- what is pointed at ---------------------------------------------------------------

    def target(self) -> Target | None:
        """The request on the detail screen, else the queue's (or an escalation's) row."""
        screen = self.host.screen
        if isinstance(screen, DetailScreen):
            page = screen.page
            if page is None:
                return None
            view = page.request
            return Target(
                view.id,
                view.version,
                view.customer or "triage",
                view.summary,
                view.channel,
                view.status,
                view.first_response_at,
                bool(page.detail.escalations),
            )
        if screen is not self.host.screen_stack[0]:
            return None
        chosen = self.host.selection()
        if chosen.pane is Pane.QUEUE:
            row = self.host.desk.request(chosen.cursor)
        elif chosen.pane is not None:
            escalation = self.host.desk.escalation(chosen.cursor)
            row = self.host.desk.request(escalation.request_id) if escalation else None
        else:
            row = None
        if row is None:
            return None
        return Target(
            row.id,
            row.version,
            row.customer,
            row.summary,
            row.channel,
            "open",
            row.first_response_at,
            row.escalated,
        )

    def why_not(self, name: str) -> str | None:
        """None if the work action `name` applies now, else one line saying why not."""
        identity = self.host.desk.identity
        reason = refusal(identity.role, self.host.desk.department_of(identity.handle), NEEDS[name])
        if reason or name == "new_request":
            return reason
        target = self.target()
        if target is None:
            return f"{name.replace('_', ' ')} works on a request: put the cursor on one, or open it"
        return self._state_refusal(name, target)

    def _state_refusal(self, name: str, target: Target) -> str | None:
        now = self.host.clock.now()
        zone = self.host.calendar.zone
        if name == "resolve" and target.status != "open":
            return f"#{target.id} is {target.status} already"
        if name == "reopen" and target.status != "resolved":
            return f"#{target.id} is {target.status}: only a resolved request reopens"
        if name == "respond" and target.channel not in REPLIED:
            if target.status != "open":
                return f"#{target.id} is {target.status}: reopen it first"
            if target.first_response_at is not None:
                when = short_day_time(target.first_response_at, zone, now)
                return f"#{target.id} had its response at {when} already"
        return None

    def allowed(self, name: str) -> bool:
        return self.why_not(name) is None

    def refuse(self, name: str) -> None:
        self.host.notify(self.why_not(name) or "not possible here", title="Not allowed",
                         severity="warning")  # fmt: skip

    def _go(self, name: str) -> Target | None:
        """The target if `name` applies (from the palette too), else say why not."""
        reason = self.why_not(name)
        if reason:
            self.host.notify(reason, title="Not allowed", severity="warning")
            return None
        return self.target()

    def changed(self, request_ids: set[int]) -> None:
        """The feed brought changes to these requests: a detail showing one reads it again."""
        screen = self.host.screen
        if isinstance(screen, DetailScreen) and screen.request_id in request_ids:
            screen.reload()

    def _show_timer(self, request_id: int) -> None:
        screen = self.host.screen
        if isinstance(screen, DetailScreen) and screen.request_id == request_id:
            screen.timer_since = self.timers.get(request_id)
            screen.show_timer(self.host.clock.now())

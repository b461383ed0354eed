"""What every console action shares: which keys a role may use, which rows it aims at,
and how a write runs. `LeadActions` and `DeskActions` are objects the app holds (not
mixins): they reach the console only through the typed `Host` below.

Targets are captured by id and version when the key is pressed and written with those
versions: if someone changed a row in between, nothing is written and the conflict
dialog says who, when and what the row is now; `r` opens the action's own dialog again
on the new version (`console.ui.conflicts`), so nothing is written without a new choice.
Every write goes to the console's one writer (`console.ui.writer`), so the screen never
waits for the database, under an idempotency key made when the key is pressed (retried
if its outcome is unknown); its answer comes back as a message, handled here on the UI
thread, the only one that changes the undo record and the counters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from textual.binding import Binding

from console.store.commands import leads
from console.store.errors import ConflictError
from console.store.idempotency import Once, fingerprint
from console.ui.conflicts import Again, Conflict, conflict_text, look_again, retry_hint
from console.ui.format import inert
from console.ui.messages import WriteConflicted, WriteDone, WriteFailed
from console.ui.model import DeskState, Pane, Selection, why_not
from console.ui.model.keys import NEEDS
from console.ui.screens.dialogs import ConflictScreen
from console.ui.writer import Do, WriteJob, Writer

__all__ = ["UNDO_WINDOW", "Acting", "Do", "Host", "Undo", "WriteRecord", "act", "key_pair"]

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from console.clock import Clock
    from console.domain.calendar import DeskCalendar
    from console.store.board import Board
    from console.store.commands import Rules

#: How long the last action can be undone, on the console's clock (tests freeze it).
UNDO_WINDOW = timedelta(seconds=60)


def act(action: str) -> str:
    """The app's action that runs an action object's method: "priority(-1)" becomes
    "act('priority', -1)"."""
    name, _, args = action.partition("(")
    return f"act('{name}', {args.rstrip(')')})" if args else f"act('{name}')"


def key_pair(
    key: str, action: str, description: str, binding_id: str, refused: str
) -> list[Binding]:
    """The key, shown when allowed; the same key hidden, explaining why not, otherwise.
    `action` is an action object's method, e.g. "assign" or "priority(-1)"."""
    return [
        Binding(key, act(action), description, id=binding_id),
        Binding(key, f"refuse('{refused}')", description, show=False),
    ]


@dataclass(frozen=True)
class Undo:
    at: datetime
    description: str
    steps: list[leads.Step]


@dataclass
class WriteRecord:
    """This console's writes, changed only on the UI thread: the last one (for `u`), and
    how many landed and how many met a conflict."""

    undo: Undo | None = None
    done: int = 0
    conflicted: int = 0


class Host(Protocol):
    """What the actions need of the console (the app provides it)."""

    desk: DeskState
    clock: Clock
    calendar: DeskCalendar
    rules: Rules
    board: Board
    writer: Writer

    def selection(self) -> Selection[Any]: ...

    def toggle_mark(self) -> None: ...

    def clear_marks(self, pane: Pane) -> None: ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None: ...

    def push_screen(self, screen: Any, callback: Any = None) -> Any: ...

    def call_later(self, callback: Callable[..., Any], *args: Any) -> bool: ...


class Acting:
    """The actions' common part; `record` is shared by every action object of one app."""

    def __init__(self, host: Host, record: WriteRecord) -> None:
        self.host = host
        self.record = record

    # -- what is pointed at and allowed -------------------------------------------------------

    def why_not(self, name: str) -> str | None:
        """None if the action `name` applies to what is pointed at, else why not."""
        chosen = self.host.selection()
        identity = self.host.desk.identity
        row = self.host.desk.request(chosen.cursor) if chosen.pane is Pane.QUEUE else None
        return why_not(
            name,
            identity.role,
            self.host.desk.department_of(identity.handle),
            chosen.pane,
            row,
            len(self.host.desk.handoffs),
        )

    def allowed(self, action: str) -> bool:
        """For the app's `check_action`: the footer shows a key only when this holds."""
        return action not in NEEDS or self.why_not(action) is None

    def refuse(self, name: str) -> None:
        key = "priority" if name == "prioritise" else name
        reason = self.why_not(key) or "not possible here"
        self.host.notify(reason, title="Not allowed", severity="warning")

    @staticmethod
    def _describe(rows: list[Any], request_of: Callable[[Any], int]) -> str:
        shown = [f"#{request_of(r)} {inert(r.customer)}" for r in rows[:8]]
        more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
        return ", ".join(shown) + more

    # -- writing ------------------------------------------------------------------------------

    def look_again(self, error: ConflictError, again: Again | None) -> Conflict:
        """The rows of a refused write as they are now (on the writer's thread)."""
        now = self.host.clock.now()
        today = self.host.calendar.local_date(now)
        return look_again(self.host.board, error, again, now, today)

    def _me(self) -> tuple[str, datetime]:
        return self.host.desk.identity.handle, self.host.clock.now()

    def _attempt(
        self, do: Do, done: str, undo: list[leads.Step], again: Again | None = None
    ) -> None:
        """Hand the write built from the versions the person saw to the writer; on a
        conflict, `again` says what to show and which dialog `r` opens. The idempotency
        key is made here, when the person acts."""
        handle, now = self._me()
        once = Once(f"console-{uuid.uuid4()}", handle, fingerprint(done), now, lambda _: {})
        self.host.writer.submit(WriteJob(do, done, undo, again, once))

    # -- the writer's answers, on the UI thread -------------------------------------------------

    def written(self, message: WriteDone) -> None:
        job = message.job
        self.record.done += 1
        # Even one that cannot be undone replaces the last: `u` must never reach past it.
        self.record.undo = Undo(self.host.clock.now(), job.done, job.undo)
        self.host.notify(job.done[:1].upper() + job.done[1:], title="Done")

    def conflicted(self, message: WriteConflicted) -> None:
        self.record.conflicted += 1
        self._conflict(message.conflict, message.job.again)

    def failed(self, message: WriteFailed) -> None:
        title = "Internal error" if message.internal else "Not done"
        self.host.notify(message.reason, title=title, severity="error")

    def _conflict(self, conflict: Conflict, again: Again | None) -> None:
        """Show what the rows are now; `r` opens the action's dialog on them, nothing else."""
        now = self.host.clock.now()
        names = self.host.desk.staff_names
        message = conflict_text(conflict, again, names, self.host.calendar.zone, now)
        rows = conflict.retry_rows(again)

        def answered(retry: bool | None) -> None:
            if retry and again is not None and again.reopen is not None:
                again.reopen(rows)

        hint = retry_hint(rows) if rows else None
        self.host.push_screen(ConflictScreen(message, hint), answered)

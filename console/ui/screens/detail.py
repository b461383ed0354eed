"""One request in full (issue 18): its fields at any status, the contact with phone and
e-mail, the conversation (mail, voicemail, portal, the desk's replies), the work log,
escalations and the history in the desk's words. The work keys (respond, note, log work,
timer, resolve, reopen) act on this request while it is shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from console.domain.sla import shown_state
from console.ui.conflicts import DESTINATIONS
from console.ui.format import age, countdown, inert, relative, short_day_time
from console.ui.history_words import Names, history_lines

if TYPE_CHECKING:
    from console.domain.sla import SlaPolicy
    from console.store.board_rows import EscalationRow
    from console.store.request_page import RequestPage


def _add(table: Table, *cells: str | Text) -> None:
    """A row whose text is shown as it is: Rich would read a plain string as markup, and
    text from the database (a summary holding "[/]") must never be parsed."""
    table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells))


def _local(at: datetime | None, sla: SlaPolicy) -> str:
    if at is None:
        return "-"
    return at.astimezone(sla.calendar.zone).strftime("%a %b %d %H:%M")


def _escalation(row: EscalationRow, page: RequestPage) -> str:
    where = DESTINATIONS.get(row.destination, row.destination)
    who = page.staff_by_handle.get(row.assignee, row.assignee) if row.assignee else "unassigned"
    return inert(f"{where} ({who})")


def detail_text(page: RequestPage, sla: SlaPolicy, now: datetime) -> Table:
    """The request's fields and its contact, in two pairs of columns."""
    view, contact = page.request, page.contact
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(ratio=1)
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(ratio=1)
    timer = sla.timer(view, now)
    unverified = view.emergency_unverified  # never `met` while unverified
    status = view.status
    if view.status == "resolved":
        status += f" {_local(view.resolved_at, sla)}"
    elif view.first_response_at is not None:
        status += ", responded"
    name = inert(view.contact or "-")
    if contact is not None and contact.designated_for_emergencies:
        name += "  ★ designated"
    channel = view.channel + ("  EMERGENCY" if view.emergency else "")
    left = [
        ("Summary", inert(view.summary)),
        (
            "Timer",
            f"{countdown(timer, sla.calendar.zone, now, unverified=unverified)}"
            f"  ({shown_state(timer, unverified).value})",
        ),
        ("Status", status),
        ("Channel", channel),
        ("Received", f"{_local(view.received_at, sla)}  ({age(view.received_at, now)} ago)"),
        ("Due", _local(view.due_at, sla)),
        ("First response", _local(view.first_response_at, sla)),
    ]
    right = [
        ("Customer", inert(view.customer or "(triage: unknown sender)")),
        ("Contact", name),
        ("Phone", inert(contact.phone or "-") if contact else "-"),
        ("E-mail", inert(contact.email or "-") if contact else "-"),
        ("Assignee", inert(page.staff_by_handle.get(view.assignee, view.assignee))
         if view.assignee else "-"),
        ("Billing", view.billing_state),
        ("Escalated", ", ".join(_escalation(e, page) for e in page.detail.escalations) or "no"),
    ]  # fmt: skip
    for (a, b), (c, d) in zip(left, right, strict=True):
        _add(facts, a, b, c, d)
    if view.emergency_unverified:
        people = ", ".join(str(p) for p in page.designated) or "none on file"
        _add(facts, "UNVERIFIED", f"call back a designated contact: {inert(people)}", "", "")
    if page.detail.notices:
        _add(facts, "Billing notices", inert("; ".join(page.detail.notices)), "", "")
    return facts


def thread_text(page: RequestPage, sla: SlaPolicy, now: datetime) -> Group | Text:
    """The conversation, oldest first: who, when, subject, the first lines of the body."""
    if not page.thread:
        return Text("Conversation: none (no mail, voicemail or portal messages)", style="dim")
    parts: list[Text] = [Text("Conversation", style="bold")]
    zone = sla.calendar.zone
    for entry in page.thread:
        head = Text(f"{short_day_time(entry.at, zone, now)}  {entry.kind:<9} ", style="bold")
        who = page.staff_by_handle.get(entry.who, entry.who) if entry.kind == "desk" else entry.who
        head.append(inert(who))
        head.append(f"  ({relative(entry.at, now)})", style="dim")
        if entry.subject:
            head.append(f"\n  Subject: {inert(entry.subject)}")
        if entry.files:
            head.append(f"\n  Files: {inert(', '.join(entry.files))}")
        parts.append(head)
        lines = entry.body.splitlines()
        shown = [inert(line) for line in lines[:12]]
        if len(lines) > 12:
            shown.append(f"… {len(lines) - 12} more lines")
        parts.append(Text("\n".join(f"  │ {line}" for line in shown), style="italic"))
    return Group(*parts)


def work_table(page: RequestPage, sla: SlaPolicy) -> Table:
    table = Table(title="Work log", title_justify="left", expand=True)
    for name in ("Who", "From", "To", "Note"):
        table.add_column(name)
    detail = page.detail
    for w in detail.work:
        _add(
            table,
            inert(page.staff_by_handle.get(w.staff, w.staff)),
            _local(w.started_at, sla),
            _local(w.ended_at, sla),
            inert(w.note or ""),
        )
    if not detail.work:
        _add(table, "-", "", "", "no work logged")
    lines = [
        f"Escalated to {e.destination} ({e.assignee or 'unassigned'}): {inert(e.reason or '')}"
        for e in detail.escalations
    ]
    if lines:
        table.caption = Text("  ".join(lines))
    return table


def history_table(page: RequestPage, sla: SlaPolicy, now: datetime) -> Table:
    table = Table(title="History", title_justify="left", expand=True)
    table.add_column("When", no_wrap=True)
    table.add_column("What")
    names = Names(page.staff_by_handle, page.staff_by_id)
    for when, what in history_lines(page.history, names, sla.calendar.zone, now):
        _add(table, when, what)
    return table


class DetailScreen(Screen[None]):
    """Opened with Enter on a row (or the palette's jump to a ticket); Escape goes back."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="detail.back"),
    ]

    def __init__(
        self,
        request_id: int,
        sla: SlaPolicy,
        reload: Callable[[DetailScreen], object] | None = None,
    ) -> None:
        super().__init__()
        self.request_id = request_id
        self.sla = sla
        #: The request as last shown (None until loaded, or if it does not exist).
        self.page: RequestPage | None = None
        #: Since when the work timer on this request runs (None: not running).
        self.timer_since: datetime | None = None
        self._reload = reload

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield Static(Text(f"Loading request {self.request_id}…"), id="detail-facts")
            yield Static(id="detail-timer")
            yield Static(id="detail-thread")
            yield Static(id="detail-work")
            yield Static(id="detail-history")
        yield Footer(compact=True)

    def reload(self) -> None:
        """Read the request again (on a worker) and redraw it."""
        if self._reload is not None:
            self._reload(self)

    def show(self, page: RequestPage | None, now: datetime) -> None:
        if not self.is_attached:  # closed while it was read
            return
        body = self.query_one("#detail-body")
        body.border_title = f"Request {self.request_id}"
        self.page = page
        if page is None:
            self.query_one("#detail-facts", Static).update(
                f"Request {self.request_id} does not exist."
            )
            return
        view = page.request
        body.border_title = f"Request {view.id} · {inert(view.customer or 'triage')}"
        self.query_one("#detail-facts", Static).update(detail_text(page, self.sla, now))
        self.show_timer(now)
        self.query_one("#detail-thread", Static).update(thread_text(page, self.sla, now))
        self.query_one("#detail-work", Static).update(work_table(page, self.sla))
        self.query_one("#detail-history", Static).update(history_table(page, self.sla, now))
        self.app.refresh_bindings()  # which work keys apply depends on the request's status

    def show_timer(self, now: datetime) -> None:
        line = self.query_one("#detail-timer", Static)
        since = self.timer_since
        line.display = since is not None
        if since is not None:
            started = short_day_time(since, self.sla.calendar.zone, now)
            line.update(Text(f"⏱ work timer running since {started} ({age(since, now)}); W stops"))

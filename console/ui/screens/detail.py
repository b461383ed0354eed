"""One request in full: timer, contact, billing, work log, escalations, audit history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from console.domain.sla import shown_state
from console.sql_events import sql_change
from console.store.board_rows import RequestDetail
from console.ui.format import age, countdown, inert

if TYPE_CHECKING:
    from console.domain.sla import SlaPolicy


def _add(table: Table, *cells: str | Text) -> None:
    """A row whose text is shown as it is: Rich would read a plain string as markup, and
    text from the database (a summary holding "[/]") must never be parsed."""
    table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells))


def _local(at: datetime | None, sla: SlaPolicy) -> str:
    if at is None:
        return "-"
    return at.astimezone(sla.calendar.zone).strftime("%a %b %d %H:%M")


def _change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    if not before:
        return ""
    keys = sorted(
        k for k in (after or {}) if k not in ("version",) and before.get(k) != (after or {}).get(k)
    )
    return ", ".join(
        f"{k}: {inert(str(before.get(k)))} → {inert(str((after or {}).get(k)))}" for k in keys
    )


def detail_text(detail: RequestDetail, sla: SlaPolicy, now: datetime) -> Table:
    """The request's facts as a two-column table."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    row = detail.row
    if row is not None:
        timer = sla.timer(row, now)
        unverified = row.emergency_unverified  # never `met` while unverified
        cell = countdown(timer, sla.calendar.zone, now, unverified=unverified)
        _add(facts, "Timer", f"{cell}  ({shown_state(timer, unverified).value})")
        _add(facts, "Customer", inert(row.customer))
        contact = inert(row.contact or "-")
        if row.contact_designated:
            contact += "  ★ designated emergency contact"
        _add(facts, "Contact", contact)
        _add(
            facts,
            "Phone / e-mail",
            inert(f"{detail.contact_phone or '-'} / {detail.contact_email or '-'}"),
        )
        _add(facts, "Channel", row.channel + ("  EMERGENCY" if row.emergency else ""))
        if row.emergency_unverified:
            _add(
                facts,
                "Unverified",
                "call back a designated contact: "
                + (inert(", ".join(detail.designated_contacts)) or "none on file"),
            )
        _add(facts, "Summary", inert(row.summary))
        _add(
            facts, "Received", f"{_local(row.received_at, sla)}  ({age(row.received_at, now)} ago)"
        )
        _add(facts, "Due", _local(row.due_at, sla))
        _add(facts, "First response", _local(row.first_response_at, sla))
        _add(facts, "Assignee", row.assignee or "-")
        _add(facts, "Status", row.status)
        _add(facts, "Billing", row.billing_state)
    else:
        _add(facts, "Status", f"{detail.status} at {_local(detail.resolved_at, sla)}")
    if detail.notices:
        _add(facts, "Billing notices", inert("; ".join(detail.notices)))
    return facts


def work_table(detail: RequestDetail, sla: SlaPolicy) -> Table:
    table = Table(title="Work log", title_justify="left", expand=True)
    for name in ("Who", "From", "To", "Note"):
        table.add_column(name)
    for w in detail.work:
        _add(
            table, w.staff, _local(w.started_at, sla), _local(w.ended_at, sla), inert(w.note or "")
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


def history_table(detail: RequestDetail, sla: SlaPolicy) -> Table:
    table = Table(title="History (audit log)", title_justify="left", expand=True)
    for name in ("#", "When", "Who", "What", "Change"):
        table.add_column(name)
    for event in detail.history:
        by_sql = sql_change(
            event.kind, event.actor, event.before, event.after, lambda at: _local(at, sla)
        )
        _add(
            table,
            str(event.id),
            _local(event.at, sla),
            event.actor,
            f"{event.kind}"
            + (f" ({event.entity} {event.entity_id})" if event.entity != "request" else ""),
            by_sql or _change(event.before, event.after),
        )
    return table


class DetailScreen(Screen[None]):
    """Opened with Enter on a row; Escape goes back."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="detail.back"),
    ]

    def __init__(self, request_id: int, sla: SlaPolicy) -> None:
        super().__init__()
        self.request_id = request_id
        self.sla = sla

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield Static(Text(f"Loading request {self.request_id}…"), id="detail-facts")
            yield Static(id="detail-work")
            yield Static(id="detail-history")
        yield Footer()

    def show(self, detail: RequestDetail | None, now: datetime) -> None:
        body = self.query_one("#detail-body")
        body.border_title = f"Request {self.request_id}"
        if detail is None:
            self.query_one("#detail-facts", Static).update(
                f"Request {self.request_id} does not exist."
            )
            return
        self.query_one("#detail-facts", Static).update(detail_text(detail, self.sla, now))
        self.query_one("#detail-work", Static).update(work_table(detail, self.sla))
        self.query_one("#detail-history", Static).update(history_table(detail, self.sla))

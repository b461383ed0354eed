"""The queue: every open request with its SLA countdown, filter box and sort."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Input

from console.domain.sla import SlaPolicy, TimerState, shown_state
from console.store.board_rows import CallBack, QueueRow
from console.ui.format import age, countdown, inert, page_cell
from console.ui.model import Alerts, Changed, DeskState, QueueModel
from console.ui.widgets.alerts import AlertStrip, alerts_text
from console.ui.widgets.grid import Column, VirtualGrid

if TYPE_CHECKING:
    from console.clock import Clock

#: The summary and the SLA get the room first; when the table is narrow the columns go
#: in the order of `drop` (channel first), Status and Assignee never.
COLUMNS = (
    Column("sla", "SLA", 20, compact_width=11),
    Column("id", "#", 6, align="right", compact_width=5),
    Column("customer", "Customer", 18, compact_width=11, drop=5),
    Column("contact", "Contact", 16, compact_width=14, drop=6),
    Column("channel", "Channel", 9, drop=9),
    Column("summary", "Summary", min_width=15),
    Column("status", "Status", 12, compact_width=10),
    Column("page", "Page", 14, drop=7),
    Column("assignee", "Assignee", 10, compact_width=8),
    Column("age", "Age", 7, align="right", drop=8),
)
#: How long a flashed or moved row stays marked.
MARK_FOR = timedelta(seconds=4)


class QueuePane(Vertical):
    """The main pane; owns the queue model and draws it through a `VirtualGrid`."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="queue.filter", tooltip="Filter the queue"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="queue.clear-filter"),
    ]

    def __init__(self, desk: DeskState, sla: SlaPolicy, clock: Clock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.desk = desk
        self.sla = sla
        self.clock = clock
        self.flash_until: dict[int, datetime] = {}
        self.moved_until: datetime | None = None
        self.grid = VirtualGrid(
            COLUMNS, self._cells, self._styles, empty_text="no open requests", id="queue-grid"
        )

    @property
    def model(self) -> QueueModel:
        """The rows as shown, their order, filter and sort (the desk model's queue)."""
        return self.desk.queue

    def compose(self) -> ComposeResult:
        yield AlertStrip(id="queue-alerts")
        yield self.grid
        yield Input(
            placeholder="filter: ticket number, customer, summary or assignee", id="queue-filter"
        )

    def on_mount(self) -> None:
        self.query_one("#queue-filter").display = False
        self.query_one(AlertStrip).display = False
        self._update_title()

    # -- a view of the desk model ----------------------------------------------------------

    def load(self) -> None:
        self._show()

    def apply(self, rows: Mapping[int, QueueRow], changed: Changed) -> None:
        """Redraw after the model took a batch: all of it if the order changed, else only
        the changed `rows` that are on screen."""
        if changed.queue_reordered:
            self._show()
        else:
            self.grid.refresh_keys(set(rows))
            self._update_title()

    def flash(self, ids: Iterable[int]) -> None:
        """Mark new emergencies and new breaches for a few seconds."""
        until = self.clock.now() + MARK_FOR
        for row_id in ids:
            self.flash_until[row_id] = until

    def show_alerts(self, alerts: Alerts, designated: Mapping[str, Sequence[CallBack]]) -> None:
        """Redraw the alert strip (cheap: it holds only the few rows that need action)."""
        text = alerts_text(
            alerts.uncovered,
            alerts.unanswered,
            alerts.unverified,
            alerts.needs_notice,
            designated,
            self.sla.calendar.zone,
            self.clock.now(),
            handoffs=alerts.handoffs,
        )
        self.query_one(AlertStrip).show_text(text)

    def resort(self) -> None:
        now = self.clock.now()
        self.model.unsorted = True
        self.model.resort(now)
        if self.model.moved:
            self.moved_until = now + MARK_FOR
        self._show()

    def tick(self) -> None:
        """Redraw what depends on the clock: the visible countdowns and ages."""
        now = self.clock.now()
        self.flash_until = {k: v for k, v in self.flash_until.items() if v > now}
        if self.moved_until is not None and self.moved_until <= now:
            self.moved_until = None
            self.model.moved = set()
        self.grid.refresh()

    def _show(self) -> None:
        self.grid.set_keys(list(self.model.order))
        self._update_title()

    def _update_title(self) -> None:
        model = self.model
        arrow = "↓" if model.descending else "↑"
        total = model.triage_count if model.quick.value == "triage" else model.open_count
        parts = [f"1 Queue · {len(model.order)} of {total} open"]
        parts.append(f"sort: {model.sort.label} {arrow}")
        if model.quick.value != "all":
            parts.append(f"showing: {model.quick.value}")
        if model.text:
            # A title is markup: what was typed must not be read as tags ("[/]" crashed it).
            parts.append(f"filter: “{escape(inert(model.text))}”")
        if model.unsorted:
            parts.append("unsorted (ctrl+r)")
        self.border_title = " · ".join(parts)
        self.grid.header_marks = {model.sort.key: f" {arrow}"}

    # -- cells ------------------------------------------------------------------------------

    def _cells(self, key: object) -> dict[str, str]:
        row = self.desk.request(key)
        assert row is not None  # the grid shows only the model's keys
        now = self.clock.now()
        timer = self.sla.timer(row, now)
        marker = "⚑" if row.emergency else ("↕" if key in self.model.moved else " ")
        contact = row.contact or ""
        page = page_cell(
            row.page_state, row.page_step, row.page_at, row.page_by, self.sla.calendar.zone
        )
        status = row.status
        if page and not row.emergency_unverified and not self.grid.shows("page"):
            status = page  # no room for the Page column: an emergency's page is its status
        return {
            "sla": countdown(
                timer,
                self.sla.calendar.zone,
                now,
                compact=self.grid.compact,
                unverified=row.emergency_unverified,
            ),
            "id": f"{marker}{row.id}",
            "customer": inert(row.customer),
            "contact": f"★ {inert(contact)}" if row.contact_designated else inert(contact),
            "channel": row.channel,
            "summary": inert(row.summary),
            "status": status,
            "page": page,
            "assignee": row.assignee or "-",
            "age": age(row.received_at, now),
        }

    def _styles(self, key: object) -> dict[str, str]:
        row = self.desk.request(key)
        assert row is not None
        now = self.clock.now()
        state = shown_state(self.sla.timer(row, now), row.emergency_unverified)
        styles = {"sla": f"grid--{state.value}"}
        if row.emergency_unverified:
            styles["status"] = "grid--unverified"
        if row.emergency:
            styles["id"] = "grid--emergency"
        if row.page_overdue(now):
            styles["page"] = "grid--breached"
            if not row.emergency_unverified and not self.grid.shows("page"):
                styles["status"] = "grid--breached"  # the page is in the status cell
        if state is TimerState.BREACHED:
            styles["id"] = "grid--breached"
        if key in self.flash_until:
            styles["*"] = "grid--flash"
        elif key in self.model.moved:
            styles["id"] = "grid--moved"
        return styles

    # -- filter box -------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        box.value = ""
        box.display = False
        self.model.set_text("", self.clock.now())
        self._show()
        self.grid.focus()

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.model.set_text(event.value, self.clock.now())
        self._show()

    @on(Input.Submitted, "#queue-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        box = self.query_one("#queue-filter", Input)
        box.display = bool(box.value)
        self.grid.focus()

    def cycle_sort(self) -> None:
        self.model.cycle_sort(self.clock.now())
        self._show()

    def flip_direction(self) -> None:
        self.model.flip_direction(self.clock.now())
        self._show()

    def cycle_quick(self) -> None:
        self.model.cycle_quick(self.clock.now())
        self._show()

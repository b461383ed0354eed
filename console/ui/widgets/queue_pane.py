"""The queue: every open request with its SLA countdown, filter box and sort."""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Input

from console.domain.sla import SlaPolicy, TimerState
from console.store.board_rows import CallBack, QueueRow
from console.ui.format import age, countdown, inert
from console.ui.queue_model import QueueModel
from console.ui.widgets.alerts import AlertStrip, alerts_text
from console.ui.widgets.grid import Column, VirtualGrid

if TYPE_CHECKING:
    from console.clock import Clock

COLUMNS = (
    Column("sla", "SLA", 20, compact_width=13),
    Column("id", "#", 6, align="right"),
    Column("customer", "Customer", 20, compact_width=14),
    Column("contact", "Contact", 16, min_table_width=130),
    Column("channel", "Channel", 9, min_table_width=100),
    Column("summary", "Summary"),
    Column("status", "Status", 12),
    Column("assignee", "Assignee", 9, compact_width=7),
    Column("age", "Age", 7, align="right", min_table_width=90),
)
#: How long a flashed or moved row stays marked.
MARK_FOR = timedelta(seconds=4)


class QueuePane(Vertical):
    """The main pane; owns the queue model and draws it through a `VirtualGrid`."""

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="queue.filter", tooltip="Filter the queue"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="queue.clear-filter"),
    ]

    def __init__(self, sla: SlaPolicy, clock: Clock, me: str | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.sla = sla
        self.clock = clock
        self.model = QueueModel(me)
        self.flash_until: dict[int, datetime] = {}
        self.moved_until: datetime | None = None
        #: (due instant, request id) of rows not breached yet: the next breach is on top.
        self._due_heap: list[tuple[datetime, int]] = []
        self.grid = VirtualGrid(
            COLUMNS, self._cells, self._styles, empty_text="no open requests", id="queue-grid"
        )
        #: Ids of open emergencies, unverified ones, and requests that need a notice:
        #: kept as rows change, so the alerts never walk the whole queue.
        self.emergencies: set[int] = set()
        self.unverified: set[int] = set()
        self.needs_notice: set[int] = set()

    def compose(self) -> ComposeResult:
        yield AlertStrip(id="queue-alerts")
        yield self.grid
        yield Input(placeholder="filter: customer, summary or assignee", id="queue-filter")

    def on_mount(self) -> None:
        self.query_one("#queue-filter").display = False
        self.query_one(AlertStrip).display = False
        self._update_title()

    # -- data -----------------------------------------------------------------------------

    def load(self, rows: dict[int, QueueRow]) -> None:
        now = self.clock.now()
        self.model.load(rows.values(), now)
        for bucket in (self.emergencies, self.unverified, self.needs_notice):
            bucket.clear()
        for row in rows.values():
            self._track(row)
        self._due_heap = [(r.due_at, r.id) for r in rows.values() if _pending(r, now)]
        heapq.heapify(self._due_heap)
        self._show()

    def apply(
        self, upserts: dict[int, QueueRow], gone: frozenset[int], *, keep_order: bool
    ) -> list[int]:
        """Apply changed rows; returns ids of new emergencies (for the bell)."""
        now = self.clock.now()
        new, reordered = self.model.apply(upserts, gone, now, keep_order=keep_order)
        for row in upserts.values():
            self._track(row)
        for row_id in gone:
            for bucket in (self.emergencies, self.unverified, self.needs_notice):
                bucket.discard(row_id)
        for row in upserts.values():
            if _pending(row, now):
                heapq.heappush(self._due_heap, (row.due_at, row.id))
        alarms = [i for i in new if self.model.rows[i].emergency]
        for row_id in alarms:
            self.flash_until[row_id] = now + MARK_FOR
        if reordered:
            self._show()
        else:  # same order: redraw only the changed rows that are on screen
            self.grid.refresh_keys(set(upserts))
            self._update_title()
        return alarms

    def _track(self, row: QueueRow) -> None:
        for bucket, member in (
            (self.emergencies, row.emergency),
            (self.unverified, row.emergency_unverified),
            (self.needs_notice, row.billing_state == "needs-notice"),
        ):
            if member:
                bucket.add(row.id)
            else:
                bucket.discard(row.id)

    def oldest(self, ids: set[int]) -> list[QueueRow]:
        rows = self.model.rows
        return sorted((rows[i] for i in ids if i in rows), key=lambda r: (r.received_at, r.id))

    def show_alerts(
        self, uncovered: list[QueueRow], designated: dict[str, tuple[CallBack, ...]]
    ) -> None:
        """Redraw the alert strip (cheap: it holds only the few rows that need action)."""
        now = self.clock.now()
        text = alerts_text(
            uncovered,
            self.oldest(self.unverified),
            self.oldest(self.needs_notice),
            designated,
            self.sla.calendar.zone,
            now,
        )
        self.query_one(AlertStrip).show_text(text)

    def resort(self) -> None:
        now = self.clock.now()
        self.model.unsorted = True
        self.model.resort(now)
        if self.model.moved:
            self.moved_until = now + MARK_FOR
        self._show()

    def new_breaches(self) -> list[int]:
        """Requests that breached since the last call (each reported once)."""
        now = self.clock.now()
        found = []
        while self._due_heap and self._due_heap[0][0] <= now:
            due, row_id = heapq.heappop(self._due_heap)
            row = self.model.rows.get(row_id)
            if row is not None and row.due_at == due and row.first_response_at is None:
                found.append(row_id)
                self.flash_until[row_id] = now + MARK_FOR
        return found

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
        parts = [f"1 Queue · {len(model.order)} of {len(model.rows)} open"]
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
        row = self.model.rows[key]  # type: ignore[index]
        now = self.clock.now()
        timer = self.sla.timer(row, now)
        marker = "⚑" if row.emergency else ("↕" if key in self.model.moved else " ")
        contact = row.contact or ""
        return {
            "sla": countdown(timer, self.sla.calendar.zone, now, compact=self.grid.compact),
            "id": f"{marker}{row.id}",
            "customer": inert(row.customer),
            "contact": f"★ {inert(contact)}" if row.contact_designated else inert(contact),
            "channel": row.channel,
            "summary": inert(row.summary),
            "status": row.status,
            "assignee": row.assignee or "-",
            "age": age(row.received_at, now),
        }

    def _styles(self, key: object) -> dict[str, str]:
        row = self.model.rows[key]  # type: ignore[index]
        state = self.sla.timer(row, self.clock.now()).state
        styles = {"sla": f"grid--{state.value}"}
        if row.emergency_unverified:
            styles["status"] = "grid--unverified"
        if row.emergency:
            styles["id"] = "grid--emergency"
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


def _pending(row: QueueRow, now: datetime) -> bool:
    return row.due_at is not None and row.first_response_at is None and row.due_at > now

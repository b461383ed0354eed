"""The minimal console on Textual's stock DataTable that console_scale measures beside ours."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from benchmarks.scale.config import (
    VIEWER,
)
from console.clock import Clock
from console.domain.policy import Policy
from console.domain.sla import SlaPolicy, TimerState
from console.settings import Settings
from console.store.board import Board
from console.store.board_rows import BoardChanges, QueueRow
from console.store.db import Database
from console.store.feed import Feed
from console.ui.format import age, countdown, inert
from console.ui.live import BoardChanged, BoardLoaded, LiveLink
from console.ui.queue_model import QueueModel

# -- the stock DataTable console --------------------------------------------------------

STOCK_COLUMNS = (
    ("sla", "SLA", 20),
    ("id", "#", 7),
    ("customer", "Customer", 22),
    ("channel", "Channel", 9),
    ("summary", "Summary", 44),
    ("status", "Status", 12),
    ("assignee", "Assignee", 9),
    ("age", "Age", 7),
)
STATE_STYLE = {
    TimerState.OK: "green",
    TimerState.WARNING: "bold yellow",
    TimerState.BREACHED: "bold red",
    TimerState.PAUSED: "dim",
    TimerState.MET: "green",
    TimerState.NONE: "dim",
}


class StockConsole(App[None]):
    """The queue on Textual's stock DataTable, fed by the console's own LiveLink."""

    def __init__(self, settings: Settings, database: Database, clock: Clock, feed: Feed) -> None:
        super().__init__()
        self.clock = clock
        policy = Policy.defaults()  # the benchmark desk runs on the contract's policy
        self.sla: SlaPolicy = policy.sla
        self.zone = policy.calendar.zone
        self.board = Board(database)
        self.link = LiveLink(self.board, feed, policy.calendar, clock, self.post_message)
        self.rows: dict[int, QueueRow] = {}
        self.order: list[int] = []
        self.row_keys: dict[int, Any] = {}
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield DataTable(id="table", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in STOCK_COLUMNS:
            table.add_column(label, width=width, key=key)
        table.focus()
        self.set_interval(1.0, self._tick)
        self._run_link()

    @work(thread=True, exclusive=True, group="live", exit_on_error=False)
    def _run_link(self) -> None:
        self.link.run()

    def on_unmount(self) -> None:
        self.link.stop()

    def _values(self, row: QueueRow, now: datetime) -> tuple[list[str], TimerState]:
        timer = self.sla.timer(row, now)
        values = [
            countdown(timer, self.zone, now),
            f"{'⚑' if row.emergency else ' '}{row.id}",
            inert(row.customer),
            row.channel,
            inert(row.summary),
            row.status,
            row.assignee or "-",
            age(row.received_at, now),
        ]
        return values, timer.state

    def _cells(self, row: QueueRow, now: datetime) -> list[object]:
        values, state = self._values(row, now)
        return [Text(values[0], style=STATE_STYLE[state]), *values[1:]]

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        now = self.clock.now()
        model = QueueModel(VIEWER)
        model.load(message.state.requests.values(), now)
        self.rows, self.order = model.rows, list(model.order)
        table = self.query_one(DataTable)
        table.clear()
        keys = table.add_rows(self._cells(self.rows[i], now) for i in self.order)
        self.row_keys = dict(zip(self.order, keys, strict=True))
        self.loaded = True

    @on(BoardChanged)
    def _changed(self, message: BoardChanged) -> None:
        self.apply_rows(message.changes)

    def apply_rows(self, changes: BoardChanges) -> None:
        """Key-based: only the cells whose text changed are updated."""
        table = self.query_one(DataTable)
        now = self.clock.now()
        for row_id in changes.requests_gone:
            key = self.row_keys.pop(row_id, None)
            if key is not None:
                table.remove_row(key)
                self.rows.pop(row_id, None)
                self.order.remove(row_id)
        for row_id, row in changes.requests.items():
            key = self.row_keys.get(row_id)
            if key is None:
                self.row_keys[row_id] = table.add_row(*self._cells(row, now))
                self.order.append(row_id)
            else:
                old, _ = self._values(self.rows[row_id], now)
                new, state = self._values(row, now)
                for index, (column, _label, _width) in enumerate(STOCK_COLUMNS):
                    if old[index] != new[index]:
                        value = Text(new[0], style=STATE_STYLE[state]) if index == 0 else new[index]
                        table.update_cell(key, column, value)
            self.rows[row_id] = row

    def _tick(self) -> None:
        """The visible rows' countdown and age cells, from the clock (no query)."""
        if not self.loaded:
            return
        table = self.query_one(DataTable)
        now = self.clock.now()
        top = int(table.scroll_y)
        for row_id in self.order[top : top + max(0, table.size.height - 1)]:
            row = self.rows[row_id]
            timer = self.sla.timer(row, now)
            text = Text(countdown(timer, self.zone, now), style=STATE_STYLE[timer.state])
            table.update_cell(self.row_keys[row_id], "sla", text)
            table.update_cell(self.row_keys[row_id], "age", age(row.received_at, now))

    def top_ids(self, count: int) -> list[int]:
        return self.order[:count]

"""The queue's rows, order, filters and sort, as plain Python (no widgets).

The order only changes when the console decides to re-sort (idle, or on demand), so a
row never jumps away under a dispatcher's cursor: while they navigate, changed rows are
updated where they stand, new ones are added at the end (emergencies at the top), and
gone ones disappear. After a re-sort, the rows that moved are remembered so the screen
can mark them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from console.store.board import QueueRow


class QuickFilter(StrEnum):
    ALL = "all"
    MINE = "mine"
    BREACHED = "breached"
    EMERGENCY = "emergency"
    UNASSIGNED = "unassigned"

    def next(self) -> QuickFilter:
        members = list(QuickFilter)
        return members[(members.index(self) + 1) % len(members)]


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    value: Callable[[QueueRow], object]


def _due(row: QueueRow) -> tuple[bool, float]:
    """Running timers first, soonest due (most overdue) first; stopped or no timer last."""
    stopped = row.due_at is None or row.first_response_at is not None
    return (stopped, row.due_at.timestamp() if row.due_at else 0.0)


SORTS: tuple[SortColumn, ...] = (
    SortColumn("sla", "time left", _due),
    SortColumn("id", "ticket", lambda r: r.id),
    SortColumn("customer", "customer", lambda r: r.customer.casefold()),
    SortColumn("channel", "channel", lambda r: r.channel),
    SortColumn("status", "status", lambda r: r.status),
    SortColumn("assignee", "assignee", lambda r: (r.assignee is None, r.assignee or "")),
    SortColumn("age", "age", lambda r: -r.received_at.timestamp()),
)


def is_breached(row: QueueRow, now: datetime) -> bool:
    """Past due with no response yet (the same rule as the domain's timer)."""
    return row.first_response_at is None and row.due_at is not None and now >= row.due_at


class QueueModel:
    """Rows by id and the order they are shown in."""

    def __init__(self, me: str | None = None) -> None:
        self.rows: dict[int, QueueRow] = {}
        self.order: list[int] = []
        self.me = me
        self.sort_index = 0
        self.descending = False
        self.text = ""
        self.quick = QuickFilter.ALL
        #: True when rows changed since the last sort, so the order is not sorted.
        self.unsorted = False
        #: Ids whose position changed at the last re-sort.
        self.moved: set[int] = set()

    @property
    def sort(self) -> SortColumn:
        return SORTS[self.sort_index]

    # -- what is shown ----------------------------------------------------------------

    def matches(self, row: QueueRow, now: datetime) -> bool:
        if self.text:
            needle = self.text.casefold()
            haystack = f"{row.customer}\n{row.summary}\n{row.assignee or ''}".casefold()
            if needle not in haystack:
                return False
        match self.quick:
            case QuickFilter.MINE:
                return row.assignee is not None and row.assignee == self.me
            case QuickFilter.BREACHED:
                return is_breached(row, now)
            case QuickFilter.EMERGENCY:
                return row.emergency
            case QuickFilter.UNASSIGNED:
                return row.assignee is None
        return True

    def resort(self, now: datetime) -> None:
        """Filter and sort everything now; remember which rows moved."""
        before = {row_id: index for index, row_id in enumerate(self.order)}
        shown = [row for row in self.rows.values() if self.matches(row, now)]
        value = self.sort.value
        shown.sort(key=lambda r: (value(r), r.id), reverse=self.descending)
        # Emergencies are pinned at the top whatever the sort.
        shown.sort(key=lambda r: not r.emergency)
        self.order = [row.id for row in shown]
        self.moved = (
            {
                row_id
                for index, row_id in enumerate(self.order)
                if row_id in before and before[row_id] != index
            }
            if self.unsorted
            else set()
        )
        self.unsorted = False

    # -- changes ------------------------------------------------------------------------

    def load(self, rows: Iterable[QueueRow], now: datetime) -> None:
        self.rows = {row.id: row for row in rows}
        self.unsorted = False
        self.resort(now)

    def apply(
        self, upserts: dict[int, QueueRow], gone: Iterable[int], now: datetime, *, keep_order: bool
    ) -> list[int]:
        """Take changed rows in; returns the ids that are new to the queue.

        With `keep_order` the visible order is kept (new rows go to the end, emergencies
        to the top) and `unsorted` is set; otherwise everything is re-sorted.
        """
        gone = set(gone)
        new = [row_id for row_id in upserts if row_id not in self.rows]
        for row_id in gone:
            self.rows.pop(row_id, None)
        self.rows.update(upserts)
        if not keep_order:
            self.unsorted = True
            self.resort(now)
            return new
        shown = set(self.order)
        kept = [
            row_id
            for row_id in self.order
            if row_id not in gone and self.matches(self.rows[row_id], now)
        ]
        added = [
            row_id
            for row_id in sorted(upserts, key=lambda i: _due(upserts[i]))
            if row_id not in shown and self.matches(upserts[row_id], now)
        ]
        top = [row_id for row_id in added if self.rows[row_id].emergency]
        self.order = top + kept + [row_id for row_id in added if row_id not in top]
        if upserts or gone:
            self.unsorted = True
        return new

    # -- settings of the view -------------------------------------------------------------

    def cycle_sort(self, now: datetime) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.resort(now)

    def flip_direction(self, now: datetime) -> None:
        self.descending = not self.descending
        self.resort(now)

    def set_text(self, text: str, now: datetime) -> None:
        self.text = text.strip()
        self.resort(now)

    def cycle_quick(self, now: datetime) -> None:
        self.quick = self.quick.next()
        self.resort(now)

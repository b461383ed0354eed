"""The queue's rows, order, filters and sort, as plain Python (no widgets).

The order only changes when the console decides to re-sort (idle, or on demand), so a
row never jumps away under a dispatcher's cursor: while they navigate, changed rows are
updated where they stand, new ones are added at the end (emergencies at the top), and
gone ones disappear. After a re-sort, the rows that moved are remembered so the screen
can mark them.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from console.store.board_rows import QueueRow


class QuickFilter(StrEnum):
    ALL = "all"
    MINE = "mine"
    BREACHED = "breached"
    EMERGENCY = "emergency"
    UNASSIGNED = "unassigned"
    #: What the after-hours rules ask of the desk: unverified emergencies, notices due.
    AFTER_HOURS = "after hours"
    #: Requests in triage (mail from unknown senders, no customer): shown only here.
    TRIAGE = "triage"

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


#: A batch this large is cheaper to apply by sorting everything again.
REBUILD_ABOVE = 2000


class _Reversed:
    """Compares the other way round, so one ascending key can sort descending columns."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        # A sort column gives str, int, bool or tuples of them: all ordered, not typed as such.
        return bool(other.value < self.value)  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


def is_breached(row: QueueRow, now: datetime) -> bool:
    """Past due with no response yet (the same rule as the domain's timer)."""
    return row.first_response_at is None and row.due_at is not None and now >= row.due_at


class QueueModel:
    """Rows by id and the order they are shown in."""

    def __init__(self, me: str | None = None) -> None:
        self.rows: dict[int, QueueRow] = {}
        self.order: list[int] = []
        #: The ids in `order`, for quick membership tests.
        self.shown: set[int] = set()
        #: The ids of rows in triage, for the top line's count.
        self.triage: set[int] = set()
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
    def triage_count(self) -> int:
        return len(self.triage)

    @property
    def open_count(self) -> int:
        """Rows with a customer (triage ones apart)."""
        return len(self.rows) - len(self.triage)

    @property
    def sort(self) -> SortColumn:
        return SORTS[self.sort_index]

    # -- what is shown ----------------------------------------------------------------

    def matches(self, row: QueueRow, now: datetime) -> bool:
        if self.text:
            needle = self.text.casefold()
            # The ticket number too: `249` or `#249` finds request 249 (and 2490...).
            haystack = f"#{row.id}\n{row.customer}\n{row.summary}\n{row.assignee or ''}"
            haystack = haystack.casefold()
            if needle not in haystack:
                return False
        if row.triage != (self.quick is QuickFilter.TRIAGE):
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
            case QuickFilter.AFTER_HOURS:
                return row.emergency_unverified or row.billing_state == "needs-notice"
        return True

    def _key(self, row: QueueRow) -> tuple[bool, object]:
        """Where a row goes: emergencies first, then the sort column (and id) either way."""
        value = (self.sort.value(row), row.id)
        return (not row.emergency, _Reversed(value) if self.descending else value)

    def resort(self, now: datetime) -> None:
        """Filter and sort everything now; remember which rows moved."""
        before = {row_id: index for index, row_id in enumerate(self.order)}
        shown = [row for row in self.rows.values() if self.matches(row, now)]
        shown.sort(key=self._key)
        self.order = [row.id for row in shown]
        self.shown = set(self.order)
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
        self.triage = {row.id for row in self.rows.values() if row.triage}
        self.unsorted = False
        self.resort(now)

    def apply(
        self, upserts: dict[int, QueueRow], gone: Iterable[int], now: datetime, *, keep_order: bool
    ) -> tuple[list[int], bool]:
        """Take changed rows in; returns the ids new to the queue, and whether the order
        changed (if not, only the changed rows need redrawing).

        Only the changed rows are looked at. With `keep_order` the visible order is kept
        (new rows go to the end, emergencies to the top) and `unsorted` is set; otherwise
        each changed row is moved to its sorted place.
        """
        gone = set(gone) & self.rows.keys()
        new = [row_id for row_id in upserts if row_id not in self.rows]
        previous = {row_id: self.rows.get(row_id) for row_id in upserts}
        for row_id in gone:
            self.rows.pop(row_id, None)
            self.triage.discard(row_id)
        self.rows.update(upserts)
        for row_id, row in upserts.items():
            if row.triage:
                self.triage.add(row_id)
            else:
                self.triage.discard(row_id)
        if not keep_order and (self.unsorted or len(upserts) + len(gone) > REBUILD_ABOVE):
            self.unsorted = True
            self.resort(now)
            return new, True
        changed = False
        for row_id in gone & self.shown:
            self._remove(row_id)
            changed = True
        for row_id, row in upserts.items():
            was, now_shown, old = row_id in self.shown, self.matches(row, now), previous[row_id]
            same = old is not None and self._key(old) == self._key(row)
            if was and now_shown and (keep_order or same):
                continue  # stays where it is
            if was:
                self._remove(row_id)
            if now_shown:
                self._insert(row_id, keep_order)
            changed = changed or was or now_shown
        if keep_order and changed:
            self.unsorted = True
        return new, changed

    def _remove(self, row_id: int) -> None:
        self.order.remove(row_id)
        self.shown.discard(row_id)

    def _insert(self, row_id: int, keep_order: bool) -> None:
        row = self.rows[row_id]
        if not keep_order:
            bisect.insort(self.order, row_id, key=lambda i: self._key(self.rows[i]))
        elif row.emergency:
            self.order.insert(0, row_id)
        else:
            self.order.append(row_id)
        self.shown.add(row_id)

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

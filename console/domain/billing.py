"""After-hours billing (POLICY.md section 4).

Non-emergency work done while the desk is closed is billable, but only the part after
the customer was notified, at the rate in effect when the work was done. Money is
`Decimal` throughout and rounded to the cent once, on the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from console.domain.calendar import DeskCalendar
from console.domain.localtime import local_at

CENT = Decimal("0.01")
ZERO = timedelta(0)


@dataclass(frozen=True)
class Rate:
    """An hourly rate, in effect from the start of `effective` (desk-local midnight)."""

    effective: date
    hourly: Decimal

    def __post_init__(self) -> None:
        if self.hourly < 0:
            raise ValueError("an hourly rate cannot be negative")


@dataclass(frozen=True)
class Work:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("work cannot end before it starts")


@dataclass(frozen=True)
class BillablePart:
    start: datetime
    end: datetime
    hourly: Decimal

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Billable:
    parts: tuple[BillablePart, ...]
    time: timedelta
    amount: Decimal

    @property
    def minutes(self) -> Decimal:
        return Decimal(int(self.time.total_seconds())) / 60


class NoRateError(ValueError):
    """Work was done before the first rate took effect."""


def needs_billing_notice(
    calendar: DeskCalendar, *, emergency: bool, received_at: datetime, work: Iterable[Work] = ()
) -> bool:
    """A non-emergency request received, or worked on, while the desk was closed."""
    if emergency:
        return False
    if not calendar.is_open(received_at):
        return True
    return any(_closed_parts(calendar, w.start, w.end) for w in work)


def billable(
    calendar: DeskCalendar,
    rates: Sequence[Rate],
    work: Iterable[Work],
    notice_at: datetime | None,
) -> Billable:
    """The billable parts of `work`: after `notice_at`, outside desk hours, at each day's rate.

    Without a notice nothing is billable.
    """
    if notice_at is None:
        return Billable((), ZERO, Decimal("0.00"))
    ordered = sorted(rates, key=lambda r: r.effective)
    changes = [(local_at(r.effective, time(0), calendar.zone), r.hourly) for r in ordered]
    parts: list[BillablePart] = []
    for w in work:
        start = max(w.start.astimezone(UTC), notice_at.astimezone(UTC))
        for lo, hi in _closed_parts(calendar, start, w.end.astimezone(UTC)):
            parts.extend(_split_by_rate(lo, hi, changes))
    total = sum((p.duration for p in parts), ZERO)
    amount = sum((_money(p) for p in parts), Decimal(0))
    return Billable(tuple(parts), total, amount.quantize(CENT, rounding=ROUND_HALF_UP))


def combined(results: Iterable[Billable]) -> Billable:
    """One request's billable parts judged under several policy versions, as one amount
    (rounded once, on the total)."""
    parts = tuple(p for r in results for p in r.parts)
    total = sum((p.duration for p in parts), ZERO)
    amount = sum((_money(p) for p in parts), Decimal(0))
    return Billable(parts, total, amount.quantize(CENT, rounding=ROUND_HALF_UP))


def rate_at(rates: Sequence[Rate], calendar: DeskCalendar, at: datetime) -> Decimal:
    """The hourly rate in effect at instant `at`."""
    changes = [(local_at(r.effective, time(0), calendar.zone), r.hourly) for r in rates]
    in_effect = [c for c in sorted(changes) if c[0] <= at]
    if not in_effect:
        raise NoRateError(f"no billing rate is in effect at {at.isoformat()}")
    return in_effect[-1][1]


def _closed_parts(
    calendar: DeskCalendar, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """[start, end) minus the desk's open intervals."""
    parts: list[tuple[datetime, datetime]] = []
    cursor = start
    for lo, hi in calendar.open_intervals(start, end):
        if lo > cursor:
            parts.append((cursor, lo))
        cursor = hi
    if cursor < end:
        parts.append((cursor, end))
    return parts


def _split_by_rate(
    start: datetime, end: datetime, changes: list[tuple[datetime, Decimal]]
) -> list[BillablePart]:
    if not changes or start < changes[0][0]:
        raise NoRateError(f"no billing rate is in effect at {start.isoformat()}")
    parts: list[BillablePart] = []
    for index, (effective, hourly) in enumerate(changes):
        until = changes[index + 1][0] if index + 1 < len(changes) else end
        lo, hi = max(start, effective), min(end, until)
        if lo < hi:
            parts.append(BillablePart(lo, hi, hourly))
    return parts


def _money(part: BillablePart) -> Decimal:
    seconds = Decimal(int(part.duration.total_seconds()))
    return seconds * part.hourly / 3600

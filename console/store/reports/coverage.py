"""The coverage report: on-call gaps and overlapping shifts ahead (POLICY.md s. 6)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.calendar import DeskCalendar
from console.domain.coverage import Shift, ShiftKind, on_call_gaps
from console.store.errors import InvalidInput
from console.store.models import Shift as ShiftRow
from console.store.models import Staff
from console.store.reports.common import LONGEST_COVERAGE_DAYS, minutes

# -- coverage --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftLine:
    id: int
    staff: str
    kind: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class GapLine:
    """Closed-desk time with nobody on call."""

    start: datetime
    end: datetime
    minutes: Decimal


@dataclass(frozen=True)
class Overlap:
    """Two shifts at once: one person twice (`same-person`) or two people on call (`on-call`).

    Duty shifts of different people overlapping is ordinary staffing and is not listed.
    """

    kind: str
    first: ShiftLine
    second: ShiftLine
    start: datetime
    end: datetime


@dataclass(frozen=True)
class CoverageReport:
    start: datetime
    end: datetime
    days: int
    gaps: tuple[GapLine, ...]
    overlaps: tuple[Overlap, ...]


def coverage_report(
    session: Session, calendar: DeskCalendar, now: datetime, days: int = 14
) -> CoverageReport:
    """On-call gaps (via `console.domain.coverage.on_call_gaps`) and overlapping shifts
    in the next `days` days; shifts of staff no longer active do not count."""
    if not 1 <= days <= LONGEST_COVERAGE_DAYS:
        raise InvalidInput(f"days must be 1 to {LONGEST_COVERAGE_DAYS} (got {days})")
    horizon = timedelta(days=days)
    end = now + horizon
    rows = session.execute(
        select(ShiftRow.id, Staff.handle, ShiftRow.kind, ShiftRow.starts_at, ShiftRow.ends_at)
        .join(Staff, Staff.id == ShiftRow.staff_id)
        .where(Staff.active.is_(True), ShiftRow.ends_at > now, ShiftRow.starts_at < end)
        .order_by(ShiftRow.starts_at, ShiftRow.id)
    ).all()
    lines = [ShiftLine(*row) for row in rows]
    shifts = [Shift(s.staff, s.start, s.end, ShiftKind(s.kind)) for s in lines]
    gaps = tuple(
        GapLine(g.start, g.end, minutes(g.length))
        for g in on_call_gaps(calendar, shifts, now, horizon)
    )
    return CoverageReport(now, end, days, gaps, tuple(overlaps(lines, now, end)))


def overlaps(lines: Iterable[ShiftLine], start: datetime, end: datetime) -> Iterator[Overlap]:
    """Pairs of shifts that overlap within [start, end): one person's, or two on-call ones."""
    ordered = sorted(lines, key=lambda s: (s.start, s.id))
    for index, first in enumerate(ordered):
        for second in ordered[index + 1 :]:
            if second.start >= first.end:
                break
            if first.staff == second.staff:
                kind = "same-person"
            elif first.kind == second.kind == ShiftKind.ON_CALL.value:
                kind = "on-call"
            else:
                continue
            lo, hi = max(first.start, second.start, start), min(first.end, second.end, end)
            if lo < hi:
                yield Overlap(kind, first, second, lo, hi)

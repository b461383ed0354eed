"""Who covers the desk now and later (POLICY.md sections 3 and 6).

Plain lists in, plain data out: the store reads shifts and presence, this module decides
what they mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from console.domain.calendar import DeskCalendar, DeskStatus

DEFAULT_HORIZON = timedelta(days=7)


class ShiftKind(StrEnum):
    DUTY = "duty"
    ON_CALL = "on-call"


class Presence(StrEnum):
    AVAILABLE = "available"
    ON_A_CALL = "on-a-call"
    AWAY = "away"


@dataclass(frozen=True)
class Shift:
    staff: str
    start: datetime
    end: datetime
    kind: ShiftKind

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class OnDuty:
    staff: str
    presence: Presence
    until: datetime


@dataclass(frozen=True)
class DutySummary:
    on_duty: tuple[OnDuty, ...]
    free: int
    on_a_call: int
    away: int
    #: The desk is open, someone is on duty, and nobody on duty is free to pick up.
    all_lines_busy: bool
    #: The desk is open and nobody is on duty at all.
    unstaffed: bool


@dataclass(frozen=True)
class OnCall:
    staff: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Gap:
    """A stretch with the desk closed and nobody on call for emergencies."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Coverage:
    desk: DeskStatus
    duty: DutySummary
    on_call_now: tuple[OnCall, ...]
    on_call_next: OnCall | None
    gaps: tuple[Gap, ...]


def duty_summary(
    calendar: DeskCalendar,
    shifts: Iterable[Shift],
    presence: Mapping[str, Presence],
    now: datetime,
) -> DutySummary:
    """Who is on duty at `now` and how many of them are free.

    Staff on duty without a presence record count as away: the console never claims
    someone is free without their word for it.
    """
    latest: dict[str, datetime] = {}
    for shift in shifts:
        if shift.kind is ShiftKind.DUTY and shift.covers(now):
            latest[shift.staff] = max(shift.end, latest.get(shift.staff, shift.end))
    on_duty = tuple(
        OnDuty(staff, presence.get(staff, Presence.AWAY), until)
        for staff, until in sorted(latest.items())
    )
    counts = {p: sum(1 for d in on_duty if d.presence is p) for p in Presence}
    free = counts[Presence.AVAILABLE]
    is_open = calendar.is_open(now)
    return DutySummary(
        on_duty=on_duty,
        free=free,
        on_a_call=counts[Presence.ON_A_CALL],
        away=counts[Presence.AWAY],
        all_lines_busy=is_open and bool(on_duty) and free == 0,
        unstaffed=is_open and not on_duty,
    )


def on_call_at(shifts: Iterable[Shift], at: datetime) -> tuple[OnCall, ...]:
    """Everyone on call at `at`, the one covering longest first."""
    current = [
        OnCall(s.staff, s.start, s.end)
        for s in shifts
        if s.kind is ShiftKind.ON_CALL and s.covers(at)
    ]
    return tuple(sorted(current, key=lambda c: (-c.end.timestamp(), c.staff)))


def next_on_call(shifts: Iterable[Shift], now: datetime) -> OnCall | None:
    """The on-call shift that starts soonest after `now`."""
    upcoming = [
        OnCall(s.staff, s.start, s.end)
        for s in shifts
        if s.kind is ShiftKind.ON_CALL and s.start > now
    ]
    return min(upcoming, key=lambda c: (c.start, c.staff), default=None)


def on_call_gaps(
    calendar: DeskCalendar,
    shifts: Iterable[Shift],
    now: datetime,
    horizon: timedelta = DEFAULT_HORIZON,
) -> tuple[Gap, ...]:
    """Every stretch in [now, now + horizon) with the desk closed and nobody on call.

    While the desk is open the dispatcher routes emergencies, so only closed time
    needs an on-call person.
    """
    now = now.astimezone(UTC)
    end = now + horizon
    covered = [
        (max(s.start, now), min(s.end, end))
        for s in shifts
        if s.kind is ShiftKind.ON_CALL and s.start < end and s.end > now
    ]
    covered += list(calendar.open_intervals(now, end))
    gaps: list[Gap] = []
    cursor = now
    for lo, hi in sorted(covered):
        if lo > cursor:
            gaps.append(Gap(cursor, lo))
        cursor = max(cursor, hi)
    if cursor < end:
        gaps.append(Gap(cursor, end))
    return tuple(gaps)


@dataclass(frozen=True)
class OpenEmergency:
    """What the alarm needs to know of an open emergency."""

    request_id: int
    received_at: datetime
    assignee: str | None


def uncovered_emergencies(
    calendar: DeskCalendar,
    shifts: Iterable[Shift],
    emergencies: Iterable[OpenEmergency],
    now: datetime,
) -> tuple[OpenEmergency, ...]:
    """Open emergencies nobody has and nobody can be given: the desk is closed, nobody
    is on call, and the emergency is unassigned (POLICY.md section 3). Oldest first.

    While the desk is open the dispatcher assigns emergencies, so none is uncovered then;
    once someone comes on call the alarm stops, and the dispatcher assigns to them.
    """
    if calendar.is_open(now) or on_call_at(shifts, now):
        return ()
    waiting = [e for e in emergencies if e.assignee is None and e.received_at <= now]
    return tuple(sorted(waiting, key=lambda e: (e.received_at, e.request_id)))


def coverage(
    calendar: DeskCalendar,
    shifts: Iterable[Shift],
    presence: Mapping[str, Presence],
    now: datetime,
    horizon: timedelta = DEFAULT_HORIZON,
) -> Coverage:
    """Everything the coverage pane shows, at `now`."""
    shifts = list(shifts)
    return Coverage(
        desk=calendar.status(now),
        duty=duty_summary(calendar, shifts, presence, now),
        on_call_now=on_call_at(shifts, now),
        on_call_next=next_on_call(shifts, now),
        gaps=on_call_gaps(calendar, shifts, now, horizon),
    )

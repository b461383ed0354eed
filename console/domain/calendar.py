"""The desk calendar: when the desk is open, and business-time arithmetic over it.

All arithmetic is done on UTC instants. Opening hours are wall-clock times in the desk
zone, so 07:00 is 07:00 local in both standard and daylight time; each date's opening
is turned into one UTC interval once and cached. Walking the calendar costs one cached
lookup per day, never a step per minute.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from console.domain.localtime import local_at, zone_named

ZERO = timedelta(0)
#: How far the calendar looks for the next opening before deciding there is none.
SEARCH_LIMIT_DAYS = 3 * 366


@dataclass(frozen=True)
class OpeningHours:
    """One day's opening, as desk-local wall-clock times; `close` is after `open`."""

    open: time
    close: time

    def __post_init__(self) -> None:
        if self.close <= self.open:
            raise ValueError(
                f"closing time {self.close:%H:%M} is not after opening {self.open:%H:%M}"
            )


@dataclass(frozen=True)
class CalendarRules:
    """Everything that decides when the desk is open (POLICY.md section 1)."""

    zone: str = "America/Chicago"
    #: Weekday (0 = Monday) to its hours; a missing weekday is closed all day.
    hours: Mapping[int, OpeningHours] = field(
        default_factory=lambda: {d: OpeningHours(time(7), time(19)) for d in range(5)}
    )
    holiday_country: str | None = "US"
    holiday_subdivision: str | None = None
    holiday_observed: bool = True
    #: Extra closures (company days off), date to the name shown to people.
    added: Mapping[date, str] = field(default_factory=dict)
    #: Dates the holiday source names that this desk works anyway.
    removed: frozenset[date] = frozenset()


class ClosedReason(StrEnum):
    HOURS = "hours"  # open: within opening hours
    AFTER_HOURS = "after-hours"
    WEEKEND = "weekend"  # a weekday with no opening hours at all
    HOLIDAY = "holiday"


@dataclass(frozen=True)
class DeskChange:
    """The next time the desk opens or closes."""

    at: datetime
    opens: bool


@dataclass(frozen=True)
class DeskStatus:
    open: bool
    reason: ClosedReason
    holiday: str | None
    next_change: DeskChange


class NoOpeningError(ValueError):
    """The calendar has no opening within the search limit."""


class DeskCalendar:
    """Answers "is the desk open?" and adds or measures business time."""

    def __init__(self, rules: CalendarRules | None = None) -> None:
        self.rules = rules or CalendarRules()
        self.zone: ZoneInfo = zone_named(self.rules.zone)
        if not self.rules.hours:
            raise ValueError("the desk has no opening hours on any weekday")
        self._holidays = (
            holidays_lib.country_holidays(
                self.rules.holiday_country,
                subdiv=self.rules.holiday_subdivision,
                observed=self.rules.holiday_observed,
            )
            if self.rules.holiday_country
            else None
        )
        self._days: dict[date, tuple[datetime, datetime] | None] = {}

    # -- days -------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name if the desk is closed for one on `day`."""
        if day in self.rules.added:
            return self.rules.added[day]
        if day in self.rules.removed or self._holidays is None:
            return None
        return self._holidays.get(day)

    def opening(self, day: date) -> tuple[datetime, datetime] | None:
        """The UTC interval the desk is open on desk-local `day`, or None if closed."""
        try:
            return self._days[day]
        except KeyError:
            pass
        hours = self.rules.hours.get(day.weekday())
        span = None
        if hours is not None and self.holiday_name(day) is None:
            span = (local_at(day, hours.open, self.zone), local_at(day, hours.close, self.zone))
        self._days[day] = span
        return span

    def local_date(self, at: datetime) -> date:
        return _utc(at).astimezone(self.zone).date()

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals clipped to [start, end), in order."""
        start, end = _utc(start), _utc(end)
        day = self.local_date(start)
        last = self.local_date(end)
        while day <= last:
            span = self.opening(day)
            if span is not None:
                lo, hi = max(span[0], start), min(span[1], end)
                if lo < hi:
                    yield lo, hi
            day += timedelta(days=1)

    # -- instants ---------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        at = _utc(at)
        span = self.opening(self.local_date(at))
        return span is not None and span[0] <= at < span[1]

    def next_opening(self, at: datetime) -> datetime:
        """When the desk is next open: `at` itself if it is open then, else the next opening."""
        at = _utc(at)
        day = self.local_date(at)
        for _ in range(SEARCH_LIMIT_DAYS):
            span = self.opening(day)
            if span is not None and at < span[1]:
                return max(span[0], at)
            day += timedelta(days=1)
        raise NoOpeningError(f"the desk does not open within {SEARCH_LIMIT_DAYS} days of {at}")

    def next_change(self, at: datetime) -> DeskChange:
        """When the desk next closes (if open now) or opens (if closed now)."""
        at = _utc(at)
        span = self.opening(self.local_date(at))
        if span is not None and span[0] <= at < span[1]:
            return DeskChange(span[1], opens=False)
        day = self.local_date(at)
        for _ in range(SEARCH_LIMIT_DAYS):
            span = self.opening(day)
            if span is not None and at < span[0]:
                return DeskChange(span[0], opens=True)
            day += timedelta(days=1)
        raise NoOpeningError(f"the desk does not open within {SEARCH_LIMIT_DAYS} days of {at}")

    def status(self, at: datetime) -> DeskStatus:
        """Open or closed at `at`, why, and when that changes."""
        at = _utc(at)
        day = self.local_date(at)
        change = self.next_change(at)
        holiday = self.holiday_name(day) if day.weekday() in self.rules.hours else None
        if not change.opens:
            return DeskStatus(True, ClosedReason.HOURS, None, change)
        if holiday is not None:
            return DeskStatus(False, ClosedReason.HOLIDAY, holiday, change)
        if day.weekday() not in self.rules.hours:
            # A weekend date can also be a holiday; say so, it explains a long closure.
            return DeskStatus(False, ClosedReason.WEEKEND, self.holiday_name(day), change)
        return DeskStatus(False, ClosedReason.AFTER_HOURS, None, change)

    # -- business time ----------------------------------------------------------------

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant by which `duration` of open desk time has passed since `start`.

        Time while the desk is closed does not count, so a start while closed begins at
        the next opening. A zero duration returns `start` itself.
        """
        if duration < ZERO:
            raise ValueError("duration must not be negative")
        at = _utc(start)
        if not duration:
            return at
        remaining = duration
        day = at.astimezone(self.zone).date()
        days = self._days
        for _ in range(SEARCH_LIMIT_DAYS + remaining.days * 7):
            span = days[day] if day in days else self.opening(day)
            if span is not None and at < span[1]:
                begin = span[0] if span[0] > at else at
                available = span[1] - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
        raise NoOpeningError("the desk calendar has too few open days for that duration")

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Open desk time in [a, b); negative if `b` is before `a`."""
        a, b = _utc(a), _utc(b)
        if b < a:
            return -self.business_time_between(b, a)
        total = ZERO
        for lo, hi in self.open_intervals(a, b):
            total += hi - lo
        return total


def _utc(at: datetime) -> datetime:
    if at.tzinfo is UTC:
        return at
    if at.tzinfo is None:
        raise ValueError("a naive datetime has no instant: attach a zone first")
    return at.astimezone(UTC)

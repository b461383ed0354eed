"""The desk calendar: when the desk is open, and business-time arithmetic over it.

Why: every timer, bill and coverage check asks the same questions (open now? when next?
how much open time between two instants?), and they must agree to the minute, across DST
changes, holidays, lunch breaks and one-off dates.

What: `CalendarRules` say when the desk opens: weekday windows (several a day), dated
windows that replace a weekday's for one date, public holidays (less the ones the desk
works), and named closures. `DeskCalendar` answers from them. A date's hours are, in
order of precedence: a named closure (`added`), the date's own windows (`dated`), a
public holiday (closed, unless `removed`), the weekday's windows.

How: all arithmetic is on UTC instants. Windows are wall-clock times in the desk zone,
so 07:00 is 07:00 local in standard and daylight time; each date's windows are turned
into UTC spans once (`localtime.wall_span`, which also fixes where an edge inside a DST
change lands) and cached, so walking the calendar costs one lookup per day, never a step
per minute. Bad rules raise `ValueError` (`HoursError` for windows) at construction;
a calendar with no opening in `SEARCH_LIMIT_DAYS` raises `NoOpeningError` when asked.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from console.domain.hours import HoursError, OpeningHours, normalise_windows
from console.domain.localtime import wall_span, zone_named

if TYPE_CHECKING:
    from holidays import HolidayBase

__all__ = [
    "CalendarRules",
    "ClosedReason",
    "DeskCalendar",
    "DeskChange",
    "DeskStatus",
    "HoursError",
    "NoOpeningError",
    "OpeningHours",
    "Span",
]

ZERO = timedelta(0)
#: How far the calendar looks for the next opening before deciding there is none.
SEARCH_LIMIT_DAYS = 3 * 366

#: One open stretch, as UTC instants [start, end).
Span = tuple[datetime, datetime]
Windows = tuple[OpeningHours, ...]


@dataclass(frozen=True)
class CalendarRules:
    """Everything that decides when the desk is open (POLICY.md section 1).

    `hours` and `dated` accept one `OpeningHours` or several per key and are normalised
    to sorted tuples; a weekday with no windows is dropped (closed all day).
    """

    zone: str = "America/Chicago"
    #: Weekday (0 = Monday) to its windows; a missing weekday is closed all day.
    hours: Mapping[int, Windows] = field(
        default_factory=lambda: {d: (OpeningHours(time(7), time(19)),) for d in range(5)}
    )
    holiday_country: str | None = "US"
    holiday_subdivision: str | None = None
    holiday_observed: bool = True
    #: Extra closures (company days off), date to the name shown to people.
    added: Mapping[date, str] = field(default_factory=dict)
    #: Dates the holiday source names that this desk works anyway.
    removed: frozenset[date] = frozenset()
    #: A date's own windows, instead of its weekday's (and of a public holiday);
    #: an empty tuple closes the desk that date.
    dated: Mapping[date, Windows] = field(default_factory=dict)

    def __post_init__(self) -> None:
        hours: dict[int, Windows] = {}
        for weekday, given in self.hours.items():
            if weekday not in range(7):
                raise HoursError(f"weekday {weekday!r} is not 0 (Monday) to 6 (Sunday)")
            if windows := normalise_windows(given):
                hours[weekday] = windows
        dated = {day: normalise_windows(given) for day, given in self.dated.items()}
        # Frozen: the normalised copies replace what was given, once, here.
        object.__setattr__(self, "hours", hours)
        object.__setattr__(self, "dated", dated)
        object.__setattr__(self, "removed", frozenset(self.removed))


class ClosedReason(StrEnum):
    HOURS = "hours"  # open: within opening hours
    AFTER_HOURS = "after-hours"
    BREAK = "break"  # between two windows of the same day, e.g. lunch
    WEEKEND = "weekend"  # a weekday with no opening hours at all
    HOLIDAY = "holiday"
    CLOSED_DATE = "closed-date"  # a date whose own hours say closed


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
        if not self.rules.hours and not any(self.rules.dated.values()):
            raise ValueError("the desk has no opening hours on any weekday")
        self._days: dict[date, tuple[Span, ...]] = {}

    # -- days -------------------------------------------------------------------------

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name if the desk is closed for one on `day`."""
        rules = self.rules
        if day in rules.added:
            return rules.added[day]
        if day in rules.dated or day in rules.removed or self._holidays is None:
            return None
        return self._holidays.get(day)

    @functools.cached_property
    def _holidays(self) -> HolidayBase | None:
        # Built on first use: the holidays package and its countries cost a command that
        # only prints times in the desk zone about 100 ms.
        if not self.rules.holiday_country:
            return None
        import holidays as holidays_lib

        return holidays_lib.country_holidays(
            self.rules.holiday_country,
            subdiv=self.rules.holiday_subdivision,
            observed=self.rules.holiday_observed,
        )

    def windows(self, day: date) -> Windows:
        """The wall-clock windows the desk keeps on desk-local `day` (empty: closed)."""
        rules = self.rules
        if day in rules.added:
            return ()
        if day in rules.dated:
            return rules.dated[day]
        if self.holiday_name(day) is not None:
            return ()
        return rules.hours.get(day.weekday(), ())

    def openings(self, day: date) -> tuple[Span, ...]:
        """The UTC spans the desk is open on desk-local `day`, in order, apart."""
        try:
            return self._days[day]
        except KeyError:
            pass
        spans: list[Span] = []
        for window in self.windows(day):
            lo, hi = wall_span(day, window.open, window.close, self.zone)
            if lo >= hi:
                continue  # inside a skipped hour: it never happens
            if spans and lo <= spans[-1][1]:  # DST can make windows touch or overlap
                spans[-1] = (spans[-1][0], max(hi, spans[-1][1]))
            else:
                spans.append((lo, hi))
        result = self._days[day] = tuple(spans)
        return result

    def local_date(self, at: datetime) -> date:
        return _utc(at).astimezone(self.zone).date()

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[Span]:
        """The open intervals clipped to [start, end), in order."""
        start, end = _utc(start), _utc(end)
        day = self.local_date(start)
        last = self.local_date(end)
        while day <= last:
            for span in self.openings(day):
                lo, hi = max(span[0], start), min(span[1], end)
                if lo < hi:
                    yield lo, hi
            day += timedelta(days=1)

    def _spans_from(self, at: datetime) -> Iterator[Span]:
        """Every span that ends after `at`, in order, up to the search limit."""
        day = self.local_date(at)
        for _ in range(SEARCH_LIMIT_DAYS):
            for span in self.openings(day):
                if at < span[1]:
                    yield span
            day += timedelta(days=1)
        raise NoOpeningError(f"the desk does not open within {SEARCH_LIMIT_DAYS} days of {at}")

    # -- instants ---------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        at = _utc(at)
        return any(lo <= at < hi for lo, hi in self.openings(self.local_date(at)))

    def next_opening(self, at: datetime) -> datetime:
        """When the desk is next open: `at` itself if it is open then, else the next opening."""
        at = _utc(at)
        lo, _ = next(self._spans_from(at))
        return max(lo, at)

    def next_change(self, at: datetime) -> DeskChange:
        """When the desk next closes (if open now) or opens (if closed now)."""
        at = _utc(at)
        lo, hi = next(self._spans_from(at))
        return DeskChange(hi, opens=False) if lo <= at else DeskChange(lo, opens=True)

    def status(self, at: datetime) -> DeskStatus:
        """Open or closed at `at`, why, and when that changes."""
        at = _utc(at)
        day = self.local_date(at)
        change = self.next_change(at)
        if not change.opens:
            return DeskStatus(True, ClosedReason.HOURS, None, change)
        holiday = self.holiday_name(day)
        if day in self.rules.dated and not self.rules.dated[day] and holiday is None:
            return DeskStatus(False, ClosedReason.CLOSED_DATE, None, change)
        spans = self.openings(day)
        if spans and spans[0][1] <= at < spans[-1][0]:
            return DeskStatus(False, ClosedReason.BREAK, None, change)
        if spans or (day in self.rules.dated and holiday is None):
            return DeskStatus(False, ClosedReason.AFTER_HOURS, None, change)
        if day.weekday() not in self.rules.hours:
            # A weekend date can also be a holiday; say so, it explains a long closure.
            return DeskStatus(False, ClosedReason.WEEKEND, holiday, change)
        if holiday is not None:
            return DeskStatus(False, ClosedReason.HOLIDAY, holiday, change)
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
            for lo, hi in days[day] if day in days else self.openings(day):
                if at < hi:
                    begin = lo if lo > at else at
                    available = hi - begin
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

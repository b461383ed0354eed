"""Business-time arithmetic held against a deliberately simple minute-by-minute reference.

The reference shares no code with the calendar (nor with its hours parser): it reads the
desk from the plain description below, and asks, for each minute, "is this minute inside
one of the day's windows?", where a window on a desk-local day runs from the first
minute of that day whose wall clock reads at least its start to the last minute whose
wall clock reads before its end (docs/policy.md: "Window edges inside a DST change"). On a day
without an offset change that is just "the wall clock lies in the window"; on a DST day
the reference walks the day's minutes to find the edges. Inputs are whole minutes, so
the minute walk is exact. Desks checked over 2026-2030: Chicago (the default); Chicago
with a Sunday-night window that straddles the DST change itself; Berlin with German
holidays and a Saturday morning; Berlin with a lunch break and a split Saturday; Chicago
with dated hours (New Year's Eve closing at noon, a dated closure, a dated Saturday, a
public holiday worked short); Los Angeles with a Sunday 02:30-03:15 window (it starts in
the skipped hour); and Los Angeles with Sunday windows ending in, inside, and starting
in the skipped hour, and ending and starting in the repeated one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import islice
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import CalendarRules, DeskCalendar, OpeningHours

MINUTE = timedelta(minutes=1)
FIRST, LAST = datetime(2026, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)
YEARS = range(2025, 2032)
Window = tuple[time, time]


def w(text: str) -> list[Window]:
    """'07:00-12:00,13:00-19:00' as (start, end) pairs, read here without the parser."""
    pairs = [part.split("-") for part in text.split(",")]
    return [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in pairs]


@dataclass(frozen=True)
class Desk:
    """A desk described plainly; the calendar gets it as rules, the reference as is."""

    name: str
    zone: str = "America/Chicago"
    country: str = "US"
    weekly: dict[int, list[Window]] = field(
        default_factory=lambda: dict.fromkeys(range(5), w("07:00-19:00"))
    )
    dated: dict[date, list[Window]] = field(default_factory=dict)
    added: dict[date, str] = field(default_factory=dict)
    removed: frozenset[date] = frozenset()

    def rules(self) -> CalendarRules:
        def windows(pairs: list[Window]) -> tuple[OpeningHours, ...]:
            return tuple(OpeningHours(a, b) for a, b in pairs)

        return CalendarRules(
            zone=self.zone,
            holiday_country=self.country,
            hours={day: windows(pairs) for day, pairs in self.weekly.items()},
            dated={day: windows(pairs) for day, pairs in self.dated.items()},
            added=self.added,
            removed=self.removed,
        )


class ReferenceDesk:
    """Minute-by-minute truth."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.zone = ZoneInfo(desk.zone)
        self.closed_days = set(holidays.country_holidays(desk.country, years=YEARS, observed=True))
        self.day = cache(self._day)

    def windows(self, day: date) -> list[Window]:
        desk = self.desk
        if day in desk.added:
            return []
        if day in desk.dated:
            return desk.dated[day]
        if day in self.closed_days and day not in desk.removed:
            return []
        return desk.weekly.get(day.weekday(), [])

    def _midnight(self, day: date) -> datetime:
        """The first minute whose desk-local date is `day`, found by walking to it."""
        noon = datetime.combine(day, time(12), tzinfo=UTC)
        at = datetime.combine(day, time(0), tzinfo=UTC) - noon.astimezone(self.zone).utcoffset()
        at -= timedelta(hours=2)
        while at.astimezone(self.zone).date() < day:
            at += MINUTE
        return at

    def _day(self, day: date) -> tuple[datetime, datetime, list[tuple[datetime, datetime]]]:
        """The day's first minute, the next day's, and the open spans between."""
        first, last = self._midnight(day), self._midnight(day + timedelta(days=1))
        offset = first.astimezone(self.zone).utcoffset()
        spans = []
        if offset == (last - MINUTE).astimezone(self.zone).utcoffset():  # no DST change
            for start, end in self.windows(day):
                lo = datetime.combine(day, start, tzinfo=UTC) - offset
                spans.append((lo, datetime.combine(day, end, tzinfo=UTC) - offset))
            return first, last, spans
        minutes = [(first + n * MINUTE) for n in range(int((last - first) / MINUTE))]
        walls = [(m, m.astimezone(self.zone).time()) for m in minutes]
        for start, end in self.windows(day):
            inside = [m for m, wall in walls if start <= wall < end]
            if inside:
                spans.append((inside[0], inside[-1] + MINUTE))
        return first, last, spans

    def minutes(self, start: datetime) -> Iterator[bool]:
        """Whether the desk is open in each minute from `start` on, one day at a time."""
        at = start
        while True:
            _, last, spans = self.day(at.astimezone(self.zone).date())
            while at < last:
                for lo, hi in spans:
                    if lo <= at < hi:
                        yield True
                        break
                else:
                    yield False
                at += MINUTE

    def minute_open(self, start: datetime) -> bool:
        return next(self.minutes(start))

    def add(self, start: datetime, minutes: int) -> datetime:
        at, counted = start, 0
        walk = self.minutes(start)
        while counted < minutes:
            counted += next(walk)
            at += MINUTE
        return at

    def between(self, a: datetime, b: datetime) -> timedelta:
        count = sum(islice(self.minutes(a), int((b - a) / MINUTE)))
        return count * MINUTE


NEW_YEARS_EVES = {date(year, 12, 31): w("07:00-12:00") for year in range(2026, 2031)}
DESKS = [
    Desk("chicago"),
    Desk(
        "chicago-sunday-night",
        weekly={**dict.fromkeys(range(5), w("07:00-19:00")), 6: w("01:00-04:00")},
    ),
    Desk(
        "berlin",
        zone="Europe/Berlin",
        country="DE",
        weekly={**dict.fromkeys(range(5), w("08:00-17:00")), 5: w("09:00-12:00")},
    ),
    Desk(
        "berlin-lunch",
        zone="Europe/Berlin",
        country="DE",
        weekly={
            **dict.fromkeys(range(5), w("08:00-12:00,13:00-17:30")),
            5: w("09:00-11:00,11:30-13:00"),
        },
    ),
    Desk(
        "chicago-dated",
        dated={
            **NEW_YEARS_EVES,  # 2027-12-31 is also New Year's Day observed: the date wins
            date(2027, 3, 15): [],  # a dated closure
            date(2028, 6, 10): w("10:00-14:00"),  # a Saturday opened
            date(2026, 11, 26): w("09:00-11:00,12:00-13:00"),  # Thanksgiving, worked short
        },
        added={date(2026, 11, 27): "Day after Thanksgiving", date(2029, 12, 31): "Closure"},
        removed=frozenset({date(2026, 10, 12)}),
    ),
    Desk(
        "los-angeles",
        zone="America/Los_Angeles",
        weekly={**dict.fromkeys(range(5), w("07:00-19:00")), 6: w("02:30-03:15")},
    ),
    Desk(
        "los-angeles-edges",
        zone="America/Los_Angeles",
        weekly={
            **dict.fromkeys(range(5), w("09:00-17:00")),
            # Spring: ends in the gap, inside it, starts in it. Autumn: ends in the
            # repeated hour, then starts in it (the two spans overlap and join).
            6: w("00:40-01:20,01:45-02:10,02:20-02:40,02:50-04:00"),
        },
    ),
]
CALENDARS = {desk.name: DeskCalendar(desk.rules()) for desk in DESKS}
REFERENCES = {desk.name: ReferenceDesk(desk) for desk in DESKS}


def _transitions(zone: ZoneInfo) -> list[datetime]:
    """Every UTC instant in 2026-2030 where the zone's offset changes (to the hour)."""
    found, at = [], FIRST
    while at < LAST:
        nxt = at + timedelta(hours=1)
        if at.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            found.append(nxt)
        at = nxt
    return found


def _interesting(desk: Desk) -> list[datetime]:
    """Instants near every DST change and every holiday in 2026-2030."""
    zone = ZoneInfo(desk.zone)
    points = []
    for change in _transitions(zone):
        points += [change - timedelta(hours=3), change + timedelta(minutes=30)]
        points += [change - timedelta(minutes=25), change - timedelta(hours=1, minutes=35)]
    days = [*holidays.country_holidays(desk.country, years=range(2026, 2031))]
    for day in [*days, *desk.dated, *desk.added, *desk.removed]:
        before = datetime.combine(day - timedelta(days=1), time(17, 30), tzinfo=zone)
        points += [before.astimezone(UTC), datetime.combine(day, time(0), tzinfo=UTC)]
    return sorted(p for p in points if FIRST <= p < LAST)


minute_instants = st.integers(0, int((LAST - FIRST) / MINUTE) - 1).map(lambda n: FIRST + n * MINUTE)
any_instants = st.integers(0, int((LAST - FIRST).total_seconds()) - 1).map(
    lambda s: FIRST + timedelta(seconds=s, microseconds=s % 997)
)


@pytest.mark.parametrize("desk", DESKS, ids=lambda d: d.name)
def test_every_dst_change_and_holiday_matches_the_reference(desk: Desk) -> None:
    calendar, reference = CALENDARS[desk.name], REFERENCES[desk.name]
    points = _interesting(desk)
    assert len(points) > 40  # every DST change and holiday of five years is in play
    for start in points:
        for minutes in (1, 240, 13 * 60):
            due = calendar.add_business_time(start, minutes * MINUTE)
            assert due == reference.add(start, minutes), (start, minutes)
        end = start + timedelta(days=4)
        assert calendar.business_time_between(start, end) == reference.between(start, end), start


@pytest.mark.parametrize("desk", DESKS, ids=lambda d: d.name)
@settings(max_examples=60, deadline=None)
@given(start=minute_instants, minutes=st.integers(0, 3 * 12 * 60))
def test_add_business_time_matches_the_reference(desk: Desk, start: datetime, minutes: int) -> None:
    got = CALENDARS[desk.name].add_business_time(start, minutes * MINUTE)
    assert got == REFERENCES[desk.name].add(start, minutes)


@pytest.mark.parametrize("desk", DESKS, ids=lambda d: d.name)
@settings(max_examples=60, deadline=None)
@given(a=minute_instants, span=st.integers(0, 6 * 24 * 60))
def test_business_time_between_matches_the_reference(desk: Desk, a: datetime, span: int) -> None:
    b = a + span * MINUTE
    assert CALENDARS[desk.name].business_time_between(a, b) == REFERENCES[desk.name].between(a, b)


@pytest.mark.parametrize("desk", DESKS, ids=lambda d: d.name)
@settings(max_examples=300, deadline=None)
@given(start=any_instants, seconds=st.integers(0, 60 * 24 * 3600))
def test_between_inverts_add(desk: Desk, start: datetime, seconds: int) -> None:
    calendar = CALENDARS[desk.name]
    duration = timedelta(seconds=seconds)
    due = calendar.add_business_time(start, duration)
    assert calendar.business_time_between(start, due) == duration
    if seconds:  # the earliest such instant: the desk was open just before it
        assert calendar.is_open(due - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(start=any_instants, a=st.integers(0, 10**6), b=st.integers(0, 10**6))
def test_add_is_monotonic_and_additive(start: datetime, a: int, b: int) -> None:
    calendar = CALENDARS["chicago"]
    da, db = timedelta(seconds=a), timedelta(seconds=b)
    step = calendar.add_business_time(calendar.add_business_time(start, da), db)
    assert step == calendar.add_business_time(start, da + db)
    if a <= b:
        assert calendar.add_business_time(start, da) <= calendar.add_business_time(start, db)


def test_reference_itself_sees_the_observed_new_year() -> None:
    # Guard the guard: the reference must know 2027-12-31 is closed.
    assert date(2027, 12, 31) in REFERENCES["chicago"].closed_days

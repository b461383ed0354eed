"""Business-time arithmetic held against a deliberately simple minute-by-minute reference.

The reference shares no code with the calendar: it asks, for each minute, "is the
desk-local wall clock inside opening hours on a working, non-holiday day?". Inputs are
whole minutes, so the minute walk is exact. Three desks are checked over 2026-2030:
Chicago (the default), Chicago with a Sunday-night window that straddles the DST change
itself, and Berlin with German holidays and a Saturday morning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import CalendarRules, DeskCalendar, OpeningHours

MINUTE = timedelta(minutes=1)
FIRST, LAST = datetime(2026, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)
YEARS = range(2025, 2032)
WEEKDAYS_7_19 = {d: OpeningHours(time(7), time(19)) for d in range(5)}


@dataclass(frozen=True)
class Desk:
    name: str
    rules: CalendarRules

    def reference_open(self) -> ReferenceDesk:
        return ReferenceDesk(self.rules)


class ReferenceDesk:
    """Minute-by-minute truth."""

    def __init__(self, rules: CalendarRules) -> None:
        self.zone = ZoneInfo(rules.zone)
        self.hours = {d: (h.open, h.close) for d, h in rules.hours.items()}
        self.closed_days = set(
            holidays.country_holidays(rules.holiday_country, years=YEARS, observed=True)
        )

    def minute_open(self, start: datetime) -> bool:
        local = start.astimezone(self.zone)
        hours = self.hours.get(local.weekday())
        if hours is None or local.date() in self.closed_days:
            return False
        return hours[0] <= local.time() < hours[1]

    def add(self, start: datetime, minutes: int) -> datetime:
        at, counted = start, 0
        while counted < minutes:
            if self.minute_open(at):
                counted += 1
            at += MINUTE
        return at

    def between(self, a: datetime, b: datetime) -> timedelta:
        count, at = 0, a
        while at < b:
            count += self.minute_open(at)
            at += MINUTE
        return count * MINUTE


DESKS = [
    Desk("chicago", CalendarRules()),
    Desk(
        "chicago-sunday-night",
        CalendarRules(hours={**WEEKDAYS_7_19, 6: OpeningHours(time(1), time(4))}),
    ),
    Desk(
        "berlin",
        CalendarRules(
            zone="Europe/Berlin",
            holiday_country="DE",
            hours={
                **{d: OpeningHours(time(8), time(17)) for d in range(5)},
                5: OpeningHours(time(9), time(12)),
            },
        ),
    ),
]
CALENDARS = {desk.name: DeskCalendar(desk.rules) for desk in DESKS}
REFERENCES = {desk.name: desk.reference_open() for desk in DESKS}


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
    zone = ZoneInfo(desk.rules.zone)
    points = []
    for change in _transitions(zone):
        points += [change - timedelta(hours=3), change + timedelta(minutes=30)]
    days = holidays.country_holidays(desk.rules.holiday_country, years=range(2026, 2031))
    for day in days:
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

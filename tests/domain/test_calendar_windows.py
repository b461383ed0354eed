"""Several windows a day, dated hours, and window edges inside a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.calendar import CalendarRules, ClosedReason, DeskCalendar
from console.domain.hours import parse_windows
from tests.domain.conftest import ct

H, M = timedelta(hours=1), timedelta(minutes=1)
LA = ZoneInfo("America/Los_Angeles")
SPLIT = parse_windows("07:00-12:00,13:00-19:00")


def pt(year: int, month: int, day: int, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, fold=fold, tzinfo=LA).astimezone(UTC)


@pytest.fixture(scope="module")
def lunch() -> DeskCalendar:
    return DeskCalendar(CalendarRules(hours=dict.fromkeys(range(5), SPLIT)))


def test_a_lunch_break_closes_the_desk(lunch: DeskCalendar) -> None:
    # Monday 2026-12-07.
    assert lunch.is_open(ct(2026, 12, 7, 11, 59))
    assert not lunch.is_open(ct(2026, 12, 7, 12, 30))
    status = lunch.status(ct(2026, 12, 7, 12, 30))
    assert not status.open and status.reason is ClosedReason.BREAK
    assert status.next_change.at == ct(2026, 12, 7, 13) and status.next_change.opens
    assert lunch.next_opening(ct(2026, 12, 7, 12, 30)) == ct(2026, 12, 7, 13)


def test_next_change_walks_through_the_day_window_by_window(lunch: DeskCalendar) -> None:
    at, changes = ct(2026, 12, 7, 6), []
    for _ in range(5):
        change = lunch.next_change(at)
        changes.append((change.at, change.opens))
        at = change.at
    assert changes == [
        (ct(2026, 12, 7, 7), True),
        (ct(2026, 12, 7, 12), False),
        (ct(2026, 12, 7, 13), True),
        (ct(2026, 12, 7, 19), False),
        (ct(2026, 12, 8, 7), True),
    ]
    morning = lunch.status(ct(2026, 12, 7, 9))
    assert morning.open and morning.next_change.at == ct(2026, 12, 7, 12)
    assert lunch.status(ct(2026, 12, 7, 20)).reason is ClosedReason.AFTER_HOURS


def test_business_time_skips_the_break(lunch: DeskCalendar) -> None:
    assert lunch.add_business_time(ct(2026, 12, 7, 11), 2 * H) == ct(2026, 12, 7, 14)
    assert lunch.add_business_time(ct(2026, 12, 7, 12, 15), 30 * M) == ct(2026, 12, 7, 13, 30)
    assert lunch.business_time_between(ct(2026, 12, 7, 6), ct(2026, 12, 8, 6)) == 11 * H
    intervals = list(lunch.open_intervals(ct(2026, 12, 7, 10), ct(2026, 12, 7, 14)))
    assert intervals == [
        (ct(2026, 12, 7, 10), ct(2026, 12, 7, 12)),
        (ct(2026, 12, 7, 13), ct(2026, 12, 7, 14)),
    ]


def test_a_single_window_per_weekday_is_still_accepted() -> None:
    (window,) = SPLIT[:1]
    rules = CalendarRules(hours={0: window, 1: SPLIT, 2: ()})
    assert rules.hours == {0: (window,), 1: SPLIT}  # an empty weekday is closed: dropped


@pytest.fixture(scope="module")
def dated() -> DeskCalendar:
    return DeskCalendar(
        CalendarRules(
            dated={
                date(2026, 12, 31): parse_windows("07:00-12:00"),  # New Year's Eve
                date(2026, 12, 8): (),  # a dated closure, no name
                date(2026, 12, 12): parse_windows("10:00-14:00"),  # a Saturday opened
                date(2026, 11, 26): parse_windows("09:00-11:00"),  # Thanksgiving worked short
                date(2026, 11, 27): parse_windows("09:00-11:00"),  # also a named closure
            },
            added={date(2026, 11, 27): "Day after Thanksgiving"},
            removed=frozenset({date(2026, 10, 12)}),
        )
    )


def test_dated_hours_win_over_the_weekday(dated: DeskCalendar) -> None:
    assert dated.is_open(ct(2026, 12, 31, 11, 59)) and not dated.is_open(ct(2026, 12, 31, 12))
    eve = dated.status(ct(2026, 12, 31, 13))
    assert eve.reason is ClosedReason.AFTER_HOURS
    assert eve.next_change.at == ct(2027, 1, 4, 7)  # New Year's Day, then the weekend
    assert dated.is_open(ct(2026, 12, 12, 10)) and not dated.is_open(ct(2026, 12, 5, 10))


def test_a_dated_closure_says_so(dated: DeskCalendar) -> None:
    status = dated.status(ct(2026, 12, 8, 9))
    assert status.reason is ClosedReason.CLOSED_DATE and status.holiday is None
    assert status.next_change.at == ct(2026, 12, 9, 7)


def test_dated_hours_win_over_a_holiday_and_a_named_closure_over_both(dated: DeskCalendar) -> None:
    assert dated.is_open(ct(2026, 11, 26, 10)) and not dated.is_open(ct(2026, 11, 26, 12))
    assert dated.holiday_name(date(2026, 11, 26)) is None
    closure = dated.status(ct(2026, 11, 27, 10))
    assert closure.reason is ClosedReason.HOLIDAY
    assert closure.holiday == "Day after Thanksgiving"
    assert dated.is_open(ct(2026, 10, 12, 10))  # removed: the desk works Columbus Day


# -- window edges inside a DST change (Los Angeles: 2026-03-08 02:00 skips to 03:00,
# 2026-11-01 01:00-02:00 happens twice) ---------------------------------------------


def la(sunday: str) -> DeskCalendar:
    hours = {**dict.fromkeys(range(5), parse_windows("07:00-19:00")), 6: parse_windows(sunday)}
    return DeskCalendar(CalendarRules(zone="America/Los_Angeles", hours=hours))


def test_a_window_starting_in_the_skipped_hour_shrinks_to_what_exists() -> None:
    cal = la("02:30-03:15")
    assert cal.openings(date(2026, 3, 8)) == ((pt(2026, 3, 8, 3), pt(2026, 3, 8, 3, 15)),)
    # Saturday evening: the announced opening is one that comes, and lasts 15 minutes.
    status = cal.status(pt(2026, 3, 7, 20))
    assert status.next_change.at == pt(2026, 3, 8, 3) and cal.is_open(status.next_change.at)
    assert cal.add_business_time(pt(2026, 3, 7, 20), 15 * M) == pt(2026, 3, 8, 3, 15)
    assert cal.business_time_between(pt(2026, 3, 7, 20), pt(2026, 3, 9, 0)) == 15 * M


def test_a_window_inside_the_skipped_hour_vanishes() -> None:
    cal = la("02:10-02:50")
    assert cal.openings(date(2026, 3, 8)) == ()
    status = cal.status(pt(2026, 3, 8, 1))
    assert status.next_change.at == pt(2026, 3, 9, 7)
    assert status.reason is ClosedReason.AFTER_HOURS


def test_windows_around_the_gap_end_at_it_and_join() -> None:
    cal = la("01:00-02:15,02:45-04:00")
    assert cal.openings(date(2026, 3, 8)) == ((pt(2026, 3, 8, 1), pt(2026, 3, 8, 4)),)
    assert cal.next_change(pt(2026, 3, 8, 1, 30)).at == pt(2026, 3, 8, 4)  # no close at 03:00


def test_in_the_repeated_hour_a_start_is_the_first_and_an_end_the_second() -> None:
    starts = la("01:30-03:00").openings(date(2026, 11, 1))
    assert starts == ((pt(2026, 11, 1, 1, 30, fold=0), pt(2026, 11, 1, 3)),)
    ends = la("00:00-01:30").openings(date(2026, 11, 1))
    assert ends == ((pt(2026, 11, 1, 0), pt(2026, 11, 1, 1, 30, fold=1)),)
    assert ends[0][1] - ends[0][0] == 2 * H + 30 * M  # the repeated half hour counts
    joined = la("00:40-01:20,01:45-02:10").openings(date(2026, 11, 1))
    assert joined == ((pt(2026, 11, 1, 0, 40), pt(2026, 11, 1, 2, 10)),)

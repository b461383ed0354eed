"""The desk calendar against the examples and edge cases of POLICY.md section 1."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from console.domain.calendar import (
    CalendarRules,
    ClosedReason,
    DeskCalendar,
    NoOpeningError,
    OpeningHours,
)
from tests.domain.conftest import ct

H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (ct(2026, 12, 7, 6, 59), False),  # Monday, a minute before opening
        (ct(2026, 12, 7, 7, 0), True),  # opening minute
        (ct(2026, 12, 7, 18, 59), True),
        (ct(2026, 12, 7, 19, 0), False),  # closing is exclusive
        (ct(2026, 12, 5, 12, 0), False),  # Saturday
        (ct(2026, 11, 26, 12, 0), False),  # Thanksgiving Day
        (ct(2026, 11, 27, 12, 0), True),  # the day after is a working day by default
        (ct(2026, 7, 3, 12, 0), False),  # Independence Day observed (July 4 is a Saturday)
        (ct(2027, 12, 31, 12, 0), False),  # New Year's Day 2028 observed in the previous year
    ],
)
def test_is_open(calendar: DeskCalendar, at, expected: bool) -> None:
    assert calendar.is_open(at) is expected


def test_opening_is_seven_on_the_wall_clock_in_standard_and_daylight_time(
    calendar: DeskCalendar,
) -> None:
    # Friday before the spring change: CST is UTC-6; Monday after it: CDT is UTC-5.
    assert calendar.openings(date(2026, 3, 6))[0][0].hour == 13
    assert calendar.openings(date(2026, 3, 9))[0][0].hour == 12
    assert calendar.openings(date(2026, 11, 2))[0][0].hour == 13  # back to CST


def test_holiday_names_include_observed_days(calendar: DeskCalendar) -> None:
    assert calendar.holiday_name(date(2026, 11, 26)) == "Thanksgiving Day"
    assert calendar.holiday_name(date(2027, 12, 31)) == "New Year's Day (observed)"
    assert calendar.holiday_name(date(2026, 12, 8)) is None


def test_added_and_removed_dates_change_the_calendar() -> None:
    rules = CalendarRules(
        added={date(2026, 11, 27): "Day after Thanksgiving"},
        removed=frozenset({date(2026, 10, 12)}),  # Columbus Day worked
    )
    cal = DeskCalendar(rules)
    assert cal.holiday_name(date(2026, 11, 27)) == "Day after Thanksgiving"
    assert not cal.is_open(ct(2026, 11, 27, 10))
    assert cal.is_open(ct(2026, 10, 12, 10))
    assert not DeskCalendar().is_open(ct(2026, 10, 12, 10))


def test_status_open_reports_closing_time(calendar: DeskCalendar) -> None:
    status = calendar.status(ct(2026, 12, 10, 9))
    assert status.open and status.reason is ClosedReason.HOURS
    assert status.next_change.at == ct(2026, 12, 10, 19)
    assert status.next_change.opens is False


def test_status_on_thanksgiving_names_the_holiday(calendar: DeskCalendar) -> None:
    status = calendar.status(ct(2026, 11, 26, 10))
    assert not status.open
    assert status.reason is ClosedReason.HOLIDAY
    assert status.holiday == "Thanksgiving Day"
    assert status.next_change.at == ct(2026, 11, 27, 7)


def test_status_weekend_and_after_hours(calendar: DeskCalendar) -> None:
    weekend = calendar.status(ct(2026, 12, 5, 10))
    assert weekend.reason is ClosedReason.WEEKEND
    assert weekend.next_change.at == ct(2026, 12, 7, 7)
    evening = calendar.status(ct(2026, 12, 7, 19, 30))
    assert evening.reason is ClosedReason.AFTER_HOURS
    assert evening.next_change.at == ct(2026, 12, 8, 7)
    early = calendar.status(ct(2026, 12, 7, 5))
    assert early.next_change.at == ct(2026, 12, 7, 7)


def test_friday_evening_email_is_due_monday_ten(calendar: DeskCalendar) -> None:
    # POLICY.md: 1 h on Friday, 3 h on Monday.
    assert calendar.add_business_time(ct(2026, 12, 4, 18), 4 * H) == ct(2026, 12, 7, 10)


def test_due_moves_to_tuesday_when_monday_is_a_holiday(calendar: DeskCalendar) -> None:
    # 2027-01-18 is Martin Luther King Jr. Day.
    assert calendar.add_business_time(ct(2027, 1, 15, 18), 4 * H) == ct(2027, 1, 19, 10)


def test_request_received_while_closed_starts_at_next_opening(calendar: DeskCalendar) -> None:
    assert calendar.add_business_time(ct(2026, 12, 5, 14), 4 * H) == ct(2026, 12, 7, 11)
    assert calendar.add_business_time(ct(2026, 12, 7, 3), 4 * H) == ct(2026, 12, 7, 11)


def test_due_exactly_at_closing_stays_on_that_day(calendar: DeskCalendar) -> None:
    assert calendar.add_business_time(ct(2026, 12, 7, 15), 4 * H) == ct(2026, 12, 7, 19)


def test_zero_duration_is_the_start(calendar: DeskCalendar) -> None:
    start = ct(2026, 12, 5, 14)
    assert calendar.add_business_time(start, timedelta(0)) == start


def test_spans_of_weeks(calendar: DeskCalendar) -> None:
    # 10 open days of 12 h from Monday 2026-12-07 07:00: two full weeks.
    assert calendar.add_business_time(ct(2026, 12, 7, 7), 120 * H) == ct(2026, 12, 18, 19)
    # Over Christmas (Fri 25th) and New Year (Fri 1st): 3 weeks of 5 days minus 2.
    start, end = ct(2026, 12, 21, 7), ct(2027, 1, 8, 19)
    assert calendar.business_time_between(start, end) == 13 * 12 * H


def test_business_time_across_the_spring_dst_change(calendar: DeskCalendar) -> None:
    # Friday 18:00 CST to Monday 08:00 CDT: one hour each side, although 61 wall hours pass.
    assert calendar.business_time_between(ct(2026, 3, 6, 18), ct(2026, 3, 9, 8)) == 2 * H


def test_business_time_between_is_signed(calendar: DeskCalendar) -> None:
    a, b = ct(2026, 12, 7, 9), ct(2026, 12, 7, 11)
    assert calendar.business_time_between(b, a) == -2 * H


def test_naive_instants_are_refused(calendar: DeskCalendar) -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="naive"):
        calendar.is_open(datetime(2026, 12, 7, 9))


def test_a_calendar_that_never_opens_says_so() -> None:
    saturdays_only = CalendarRules(
        hours={5: OpeningHours(time(9), time(12))},
        added={date(2026, 1, 1) + timedelta(days=n): "closure" for n in range(4 * 366)},
    )
    cal = DeskCalendar(saturdays_only)
    with pytest.raises(NoOpeningError):
        cal.next_change(ct(2026, 1, 1))
    with pytest.raises(ValueError):
        DeskCalendar(CalendarRules(hours={}))


def test_closing_must_follow_opening() -> None:
    with pytest.raises(ValueError, match="not after"):
        OpeningHours(time(19), time(7))

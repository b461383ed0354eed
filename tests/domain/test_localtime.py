"""Reading typed times in the desk's zone: `parse_recent`, as the notice dialog uses it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from console.domain.localtime import LocalTimeError, parse_recent, parse_typed

CHICAGO = ZoneInfo("America/Chicago")
#: Saturday 5 December 2026, 22:30 in Chicago.
NOW = datetime(2026, 12, 6, 4, 30, tzinfo=UTC)


def test_a_bare_time_is_the_latest_one_not_after_now() -> None:
    assert parse_recent("22:10", CHICAGO, NOW) == datetime(2026, 12, 6, 4, 10, tzinfo=UTC)
    # 23:00 has not come yet tonight, so it is yesterday's.
    assert parse_recent(" 23:00 ", CHICAGO, NOW) == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    assert parse_recent("7:05", CHICAGO, NOW) == datetime(2026, 12, 5, 13, 5, tzinfo=UTC)


def test_a_full_time_is_read_in_the_desk_zone_and_may_not_be_in_the_future() -> None:
    assert parse_recent("2026-12-05 21:00", CHICAGO, NOW) == datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    with pytest.raises(LocalTimeError, match="in the future"):
        parse_recent("2026-12-05 23:00", CHICAGO, NOW)


@pytest.mark.parametrize("text", ["24:00", "9:75", "tonight", "2026-02-30 10:00", ""])
def test_nonsense_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(LocalTimeError) as caught:
        parse_recent(text, CHICAGO, NOW)
    assert "\n" not in str(caught.value)


def test_a_repeated_autumn_hour_is_refused_rather_than_guessed() -> None:
    # Sunday 1 November 2026: 01:30 happens twice in Chicago.
    after = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(LocalTimeError, match="happens twice"):
        parse_recent("01:30", CHICAGO, after)


# -- parse_typed: what the CLI reads wherever a time is typed ------------------------------


def chicago(day: int, hour: int, minute: int = 0) -> datetime:
    """A December 2026 wall time in Chicago (UTC-6) as a UTC instant."""
    return datetime(2026, 12, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "past", "expected"),
    [
        ("18:00", False, chicago(5, 18)),  # today's, even when it has passed
        ("23:00", False, chicago(5, 23)),
        ("23:00", True, chicago(4, 23)),  # the latest 23:00 not after now: last night
        ("today 18:00", False, chicago(5, 18)),
        ("Today 07:00", True, chicago(5, 7)),
        ("tomorrow 07:00", False, chicago(6, 7)),
        ("yesterday 22:10", True, chicago(4, 22, 10)),
        ("mon 07:00", False, chicago(7, 7)),  # the coming Monday
        ("monday 07:00", True, datetime(2026, 11, 30, 13, 0, tzinfo=UTC)),  # last Monday
        ("sat 09:00", False, chicago(5, 9)),  # today is Saturday: today counts
        ("sat 23:00", True, datetime(2026, 11, 29, 5, 0, tzinfo=UTC)),  # tonight's is ahead
        ("2026-12-05 21:00", True, chicago(5, 21)),
        ("2026-12-05T21:00:00-06:00", False, chicago(5, 21)),
    ],
)
def test_typed_times(text: str, past: bool, expected: datetime) -> None:
    assert parse_typed(text, CHICAGO, NOW, past=past) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("noon", "expected HH:MM, 'today 18:00'"),
        ("someday 07:00", "expected HH:MM"),
        ("today 25:00", "not a time of day"),
        ("today", "expected HH:MM"),
        ("tomorrow 07:00 sharp", "expected HH:MM"),
        ("2026-12-05", "a date without a time"),
    ],
)
def test_typed_nonsense_is_one_line_naming_what_is_accepted(text: str, fragment: str) -> None:
    with pytest.raises(LocalTimeError) as caught:
        parse_typed(text, CHICAGO, NOW)
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


def test_a_typed_time_in_the_skipped_spring_hour_is_refused() -> None:
    before = datetime(2027, 3, 13, 18, 0, tzinfo=UTC)  # Saturday 13 March 2027, noon
    with pytest.raises(LocalTimeError, match="skip"):
        parse_typed("tomorrow 02:30", CHICAGO, before)

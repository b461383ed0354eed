"""Reading typed times in the desk's zone: `parse_recent`, as the notice dialog uses it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from console.domain.localtime import LocalTimeError, parse_recent

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

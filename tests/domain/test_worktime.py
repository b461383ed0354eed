"""Work time as agents type it in the console (issue 18): minutes, or a start time read by
the same parser the CLI uses (`parse_typed`); it ends now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.worktime import WorkTimeError, duration_minutes, work_span

CHICAGO = ZoneInfo("America/Chicago")
#: Wednesday 2 December 2026, 10:00 in Chicago.
NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("25", 25), ("25m", 25), ("25 min", 25), ("1h", 60), ("1h 10m", 70), ("2h5", 125)],
)
def test_durations(typed: str, minutes: int) -> None:
    assert duration_minutes(typed) == minutes
    assert work_span(typed, CHICAGO, NOW) == (NOW - timedelta(minutes=minutes), NOW)


@pytest.mark.parametrize("typed", ["09:40", "", "h", "today 09:40", "abc"])
def test_not_durations(typed: str) -> None:
    assert duration_minutes(typed) is None


def test_a_start_time_is_the_latest_one_past() -> None:
    assert work_span("09:40", CHICAGO, NOW) == (NOW - timedelta(minutes=20), NOW)
    # At 10:00, 23:50 is last night.
    start, _ = work_span("23:50", CHICAGO, NOW)
    assert start == NOW - timedelta(hours=10, minutes=10)
    assert work_span("2026-12-02 09:00", CHICAGO, NOW)[0] == NOW - timedelta(hours=1)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "say how long"),
        ("0", "between 1 and 1440"),
        ("1500", "between 1 and 1440"),
        ("25:99", "not a time of day"),
        ("soon", "minutes (25, 1h 10m)"),
        ("10:00", "before now"),
        ("monday 08:00", "more than a day ago"),
    ],
)
def test_refusals_are_one_line(typed: str, says: str) -> None:
    with pytest.raises(WorkTimeError, match=r".*") as caught:
        work_span(typed, CHICAGO, NOW)
    assert says in str(caught.value) and "\n" not in str(caught.value)

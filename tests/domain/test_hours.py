"""The opening-hours parser: what it reads, and each refusal's one-line message."""

from __future__ import annotations

from datetime import time

import pytest

from console.domain.hours import (
    HoursError,
    OpeningHours,
    format_windows,
    normalise_windows,
    parse_windows,
)


def test_one_window_several_and_closed() -> None:
    assert parse_windows("07:00-19:00") == (OpeningHours(time(7), time(19)),)
    assert parse_windows(" 13:00-19:00 , 07:00-12:00 ") == (
        OpeningHours(time(7), time(12)),
        OpeningHours(time(13), time(19)),
    )
    assert parse_windows("Closed") == ()


def test_touching_windows_are_one_and_the_text_reads_back() -> None:
    assert parse_windows("07:00-12:00,12:00-19:00") == (OpeningHours(time(7), time(19)),)
    text = "07:00-12:00,13:00-19:00"
    assert format_windows(parse_windows(text)) == text
    assert format_windows(()) == "closed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("07:00-25:00", "25:00: not a time of day (00:00 to 23:59)"),
        ("07:60-12:00", "07:60: not a time of day (00:00 to 23:59)"),
        ("13:00-12:00", "13:00-12:00: ends before it starts"),
        ("12:00-12:00", "12:00-12:00: ends when it starts (an empty window)"),
        ("07:00-13:00,12:00-19:00", "07:00-13:00 overlaps 12:00-19:00"),
        ("07:00-12:00,,13:00-19:00", "07:00-12:00,,13:00-19:00: an empty window between commas"),
        ("07:00-12:00,", "07:00-12:00,: an empty window between commas"),
        ("", "no hours given: expected windows like '07:00-12:00,13:00-19:00' or 'closed'"),
        ("7-12", "7: not a time like 07:00"),
        ("07:00", "07:00: not a window like 07:00-19:00"),
        ("07:00-12:00-19:00", "07:00-12:00-19:00: not a window like 07:00-19:00"),
        ("closed,07:00-12:00", "closed: not a window like 07:00-19:00"),
        ("07:00-", "(nothing): not a time like 07:00"),
    ],
)
def test_refusals_name_the_part_at_fault_in_one_line(text: str, message: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_windows(text)
    assert str(caught.value) == message
    assert "\n" not in message


def test_normalising_accepts_one_window_and_refuses_overlaps() -> None:
    one = OpeningHours(time(7), time(19))
    assert normalise_windows(one) == (one,)
    with pytest.raises(HoursError, match="overlaps"):
        normalise_windows([one, OpeningHours(time(8), time(9))])
    with pytest.raises(HoursError, match="not an opening window"):
        normalise_windows(["07:00-19:00"])  # type: ignore[list-item]

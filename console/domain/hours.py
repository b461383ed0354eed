"""Opening hours as people write them: one or more wall-clock windows a day.

Why: settings, the CLI and the stored policy all take hours as text such as
`07:00-12:00,13:00-19:00` or `closed`, and must refuse the same mistakes with the same
words; one parser here keeps them from drifting apart.

What: `OpeningHours` is one window (desk-local wall-clock `open` to `close`, close after
open); `parse_windows` reads a day's text into a sorted tuple of windows (empty for
closed); `normalise_windows` turns one window or several into that same canonical tuple
(sorted; windows that touch are joined, so 07:00-12:00 and 12:00-19:00 is 07:00-19:00).

How it fails: `HoursError` (a `ValueError`) with one line naming the part at fault, e.g.
`13:00-12:00: ends before it starts` or `07:00-13:00 overlaps 12:00-19:00`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

#: How the text looks, for error messages.
HOURS_HINT = "windows like '07:00-12:00,13:00-19:00' or 'closed'"


class HoursError(ValueError):
    """Opening hours that cannot be used; the message is one line."""


@dataclass(frozen=True, order=True)
class OpeningHours:
    """One opening window, as desk-local wall-clock times; `close` is after `open`."""

    open: time
    close: time

    def __post_init__(self) -> None:
        if self.close <= self.open:
            raise HoursError(
                f"closing time {self.close:%H:%M} is not after opening {self.open:%H:%M}"
            )

    def __str__(self) -> str:
        return f"{self.open:%H:%M}-{self.close:%H:%M}"


def parse_clock_time(text: str) -> time:
    """Read `HH:MM` (00:00 to 23:59) as a time of day."""
    stripped = text.strip()
    hours, sep, minutes = stripped.partition(":")
    digits = hours.isdigit() and minutes.isdigit()
    if not (sep and digits and len(hours) <= 2 and len(minutes) == 2):
        raise HoursError(f"{stripped or '(nothing)'}: not a time like 07:00")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise HoursError(f"{stripped}: not a time of day (00:00 to 23:59)")
    return time(h, m)


def parse_window(text: str) -> OpeningHours:
    """Read one window, `HH:MM-HH:MM`."""
    stripped = text.strip()
    start, sep, end = stripped.partition("-")
    if not sep or "-" in end:
        raise HoursError(f"{stripped}: not a window like 07:00-19:00")
    opens, closes = parse_clock_time(start), parse_clock_time(end)
    if closes < opens:
        raise HoursError(f"{stripped}: ends before it starts")
    if closes == opens:
        raise HoursError(f"{stripped}: ends when it starts (an empty window)")
    return OpeningHours(opens, closes)


def parse_windows(text: str) -> tuple[OpeningHours, ...]:
    """A day's hours from text: `closed`, or windows separated by commas."""
    stripped = text.strip()
    if stripped.lower() == "closed":
        return ()
    if not stripped:
        raise HoursError(f"no hours given: expected {HOURS_HINT}")
    parts = stripped.split(",")
    if any(not part.strip() for part in parts):
        raise HoursError(f"{stripped}: an empty window between commas")
    return normalise_windows(parse_window(part) for part in parts)


def normalise_windows(
    windows: OpeningHours | Iterable[OpeningHours],
) -> tuple[OpeningHours, ...]:
    """One window or several, sorted and joined where they touch; overlaps are refused."""
    if isinstance(windows, OpeningHours):
        return (windows,)
    given = list(windows)
    for window in given:
        if not isinstance(window, OpeningHours):
            raise HoursError(f"{window!r}: not an opening window")
    result: list[OpeningHours] = []
    for window in sorted(given):
        if result and window.open < result[-1].close:
            raise HoursError(f"{result[-1]} overlaps {window}")
        if result and window.open == result[-1].close:
            result[-1] = OpeningHours(result[-1].open, window.close)
        else:
            result.append(window)
    return tuple(result)


def format_windows(windows: tuple[OpeningHours, ...]) -> str:
    """The text `parse_windows` reads back to `windows`."""
    return ",".join(str(window) for window in windows) or "closed"

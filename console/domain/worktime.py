"""What an agent types to log work in the console: when it started, or how long it took.

`work_span` reads `25`, `25m`, `1h`, `1h 10m` (that long, ending now) or a start time as
`parse_typed` reads it (`09:40`, `yesterday 18:00`, ISO-8601), ending now. The answer is
a (start, end) pair of UTC instants; anything else is refused with one line.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.localtime import LocalTimeError, parse_typed

#: Longest span typed as a duration: a day (a longer one is a start time typed wrongly).
MAX_MINUTES = 24 * 60
_DURATION = re.compile(r"^(?:(\d{1,2})\s*h)?\s*(?:(\d{1,4})\s*(?:m|min)?)?$")

HINT = "minutes (25, 1h 10m) or the start time (09:40, yesterday 18:00)"


class WorkTimeError(ValueError):
    """Typed work time that cannot be read; the message is one line."""


def duration_minutes(text: str) -> int | None:
    """`25`, `25m`, `1h`, `1h 10m` as minutes; None if `text` is not a duration."""
    words = text.strip().lower()
    if not words or ":" in words:
        return None
    match = _DURATION.fullmatch(words)
    if match is None or not any(match.groups()):
        return None
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return hours * 60 + minutes


def work_span(text: str, zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """The work typed as `text`, ending at `now` (see the module docstring)."""
    if not text.strip():
        raise WorkTimeError(f"say how long: {HINT}")
    minutes = duration_minutes(text)
    if minutes is not None:
        if not 0 < minutes <= MAX_MINUTES:
            raise WorkTimeError(f"{minutes} minutes: give between 1 and {MAX_MINUTES}")
        return now - timedelta(minutes=minutes), now
    try:
        start = parse_typed(text, zone, now, past=True)
    except LocalTimeError as exc:
        raise WorkTimeError(f"{exc} ({HINT})") from None
    if start >= now:
        raise WorkTimeError("the start must be before now")
    if now - start > timedelta(minutes=MAX_MINUTES):
        raise WorkTimeError("that start is more than a day ago: log it with the CLI's --from/--to")
    return start, now

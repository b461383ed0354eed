"""Turning what people type into instants, in the desk's zone.

A wall-clock time without an offset is desk-local. Two local times need care: one that
never happens (the hour skipped when clocks go forward) and one that happens twice (the
hour repeated when they go back). In typed input both are refused with a message that
says how to fix the input, rather than guessed. Opening-hour edges are not input but
rules, so `wall_span` places them by one stated rule instead (docs/policy.md: "Window edges
inside a DST change").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ISO_HINT = "an ISO-8601 time such as 2026-11-30T09:15 or 2026-11-30T09:15:00-06:00"
#: The years a typed time may fall in: any desk's, and far enough from datetime's limits
#: (years 1 and 9999) that converting it and the calendar arithmetic after it never overflow.
YEARS = range(1900, 3000)


class LocalTimeError(ValueError):
    """A time that cannot be read as one instant."""


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone called `name`, or `LocalTimeError` saying it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise LocalTimeError(
            f"unknown time zone {name!r} (use an IANA name such as America/Chicago)"
        ) from exc


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """Attach `zone` to a wall-clock time, refusing one that is skipped or repeated."""
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    back_first = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back_first != naive:
        raise LocalTimeError(
            f"{naive.isoformat(timespec='minutes')} does not exist in {zone.key} "
            "(clocks skip that hour): give another time or an explicit offset"
        )
    offsets = sorted({_fmt_offset(first), _fmt_offset(second)})
    raise LocalTimeError(
        f"{naive.isoformat(timespec='minutes')} happens twice in {zone.key} "
        f"(clocks go back): add an offset, {' or '.join(offsets)}"
    )


def local_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone` (first occurrence if repeated)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def wall_span(day: date, opens: time, closes: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC span of the wall-clock window `opens`-`closes` on `day` in `zone`.

    The span is the smallest unbroken one holding every instant whose wall clock lies in
    the window: an edge in a skipped hour is the end of the gap (so a window inside the
    gap comes back empty, `start == end`); in a repeated hour the start is the first
    occurrence and the end the second, so the desk never closes for the repeat.
    """
    return _edge(day, opens, zone, first=True), _edge(day, closes, zone, first=False)


def _edge(day: date, at: time, zone: ZoneInfo, *, first: bool) -> datetime:
    early = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    folded = _FOLDED.get(at) or _FOLDED.setdefault(at, at.replace(fold=1))
    late = datetime.combine(day, folded, tzinfo=zone).astimezone(UTC)
    if early == late:  # the usual case: no DST change at this wall time
        return early
    if early.astimezone(zone).replace(tzinfo=None) == datetime.combine(day, at):
        return early if first else late  # repeated: fold 0 is the first occurrence
    return _gap_end(min(early, late), max(early, late), zone)


#: Each edge time with fold=1, made once (window edges are few and reused every day).
_FOLDED: dict[time, time] = {}


def _gap_end(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant with `after`'s offset, found between `before` and `after`."""
    target = after.astimezone(zone).utcoffset()
    lo, hi = 0, int((after - before).total_seconds())
    while lo < hi:  # offsets change on whole seconds
        mid = (lo + hi) // 2
        if (before + timedelta(seconds=mid)).astimezone(zone).utcoffset() == target:
            hi = mid
        else:
            lo = mid + 1
    return before + timedelta(seconds=lo)


def parse_instant(text: str, zone: ZoneInfo) -> datetime:
    """Read an ISO-8601 time as a UTC instant; without an offset it is local to `zone`."""
    stripped = text.strip()
    try:
        parsed = datetime.fromisoformat(stripped)
    except ValueError:
        raise LocalTimeError(f"cannot read {text!r} as a time: expected {ISO_HINT}") from None
    if len(stripped) <= 10:  # a bare date is too vague to be a request's time
        raise LocalTimeError(f"{text!r} is a date without a time: expected {ISO_HINT}")
    if parsed.year not in YEARS:
        raise LocalTimeError(
            f"{text!r} is out of range: expected a time in the years {YEARS[0]} to {YEARS[-1]}"
        )
    if parsed.tzinfo is None:
        parsed = localize(parsed, zone)
    return parsed.astimezone(UTC)


def parse_recent(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """A time just past, as a person at the desk types it: `22:10` is the latest 22:10
    not after `now` (so at 00:30, `23:50` is last night); `yesterday 22:10`, `mon 09:00`
    and ISO-8601 as `parse_typed` reads them. A time after `now` is refused."""
    at = parse_typed(text, zone, now, past=True)
    if at > now:
        raise LocalTimeError(f"{text.strip()} is in the future")
    return at


#: Day words a typed time may start with, and the weekday each names (0 = Monday).
_WEEKDAYS = {
    name: number
    for number, day in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
    for name in (day, day[:3])
}
_RELATIVE = {"yesterday": -1, "today": 0, "tomorrow": 1}
TYPED_HINT = "HH:MM, 'today 18:00', 'tomorrow 07:00', 'mon 09:00' or " + ISO_HINT


def parse_typed(text: str, zone: ZoneInfo, now: datetime, *, past: bool = False) -> datetime:
    """A time as people type it, in the desk's `zone`, as a UTC instant:

    - `HH:MM`: with `past`, the latest such time not after `now` (what was just done:
      at 00:30, `23:50` is last night); else today's (desk date);
    - `today 18:00`, `tomorrow 07:00`, `yesterday 22:10`;
    - a weekday, `mon 09:00` or `monday 09:00`: with `past`, the latest one not after
      `now`; else the next one from today on (today included);
    - anything else as ISO-8601 (`parse_instant`; without an offset, desk-local).

    A wall time the DST change skips or repeats is refused as `localize` refuses it.
    """
    words = text.strip().lower().split()
    clock = bool(words) and _clock(words[-1]) and len(words) <= 2
    if not clock or (len(words) == 2 and words[0] not in _RELATIVE | _WEEKDAYS.keys()):
        try:  # `2026-12-05 23:00`, `2026-12-05T23:00-06:00`
            return parse_instant(text, zone)
        except LocalTimeError as exc:
            raise LocalTimeError(str(exc).replace(ISO_HINT, TYPED_HINT)) from None
    wall = _wall(words[-1], text)
    today = now.astimezone(zone).date()
    if len(words) == 1:
        if not past:
            return _at(today, wall, zone)
        at = _at(today, wall, zone)
        return at if at <= now else _at(today - timedelta(days=1), wall, zone)
    day = words[0]
    if day in _RELATIVE:
        return _at(today + timedelta(days=_RELATIVE[day]), wall, zone)
    ahead = (_WEEKDAYS[day] - today.weekday()) % 7
    if not past:
        return _at(today + timedelta(days=ahead), wall, zone)
    back = (today.weekday() - _WEEKDAYS[day]) % 7
    at = _at(today - timedelta(days=back), wall, zone)
    return at if at <= now else _at(today - timedelta(days=back or 7), wall, zone)


def _clock(word: str) -> bool:
    hours, sep, minutes = word.partition(":")
    return (
        bool(sep)
        and hours.isdigit()
        and minutes.isdigit()
        and len(hours) <= 2
        and len(minutes) == 2
    )


def _wall(word: str, text: str) -> time:
    hours, _, minutes = word.partition(":")
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise LocalTimeError(f"{text.strip()!r} is not a time of day (00:00 to 23:59)") from None


def _at(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return localize(datetime.combine(day, wall), zone).astimezone(UTC)


def parse_date(text: str) -> date:
    """Read an ISO-8601 calendar date (2026-11-30)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise LocalTimeError(f"cannot read {text!r} as a date: expected YYYY-MM-DD") from None


def _fmt_offset(at: datetime) -> str:
    offset = at.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"

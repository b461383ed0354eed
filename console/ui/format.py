"""How times, timers and the desk read on screen: short, and legible without colour."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from console.domain.calendar import DeskStatus
from console.domain.sla import Timer, TimerState, shown_state
from console.text import inert_cell

#: A symbol per timer state, so the state reads on a monochrome terminal too.
SYMBOLS: dict[TimerState, str] = {
    TimerState.OK: " ",
    TimerState.WARNING: "!",
    TimerState.BREACHED: "✖",
    TimerState.PAUSED: "‖",
    TimerState.MET: "✓",
    TimerState.NONE: "·",
}


def hours_minutes(delta: timedelta) -> str:
    """`2h 14m`, or `-0h 07m` when negative; whole minutes, rounded toward zero."""
    minutes = int(abs(delta).total_seconds() // 60)
    sign = "-" if delta < timedelta(0) else ""
    return f"{sign}{minutes // 60}h {minutes % 60:02d}m"


def hours_clock(minutes: Decimal | float | None) -> str:
    """Minutes as `h:mm` (`121.5` → `2:02`, rounded to the minute); `-` for none."""
    if minutes is None:
        return "-"
    whole = int(Decimal(str(minutes)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    sign = "-" if whole < 0 else ""
    return f"{sign}{abs(whole) // 60}:{abs(whole) % 60:02d}"


def short_day_time(at: datetime, zone: ZoneInfo, now: datetime) -> str:
    """`07:00` today, `Mon 07:00` within a week, `Dec 28 07:00` further away."""
    local, today = at.astimezone(zone), now.astimezone(zone)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if abs((local.date() - today.date()).days) < 7:
        return f"{local:%a %H:%M}"
    return f"{local:%b %d %H:%M}"


def countdown(
    timer: Timer, zone: ZoneInfo, now: datetime, compact: bool = False, unverified: bool = False
) -> str:
    """The SLA cell: symbol and time left, overdue, or a paused clock's business time left
    and when it resumes (`‖ 1h 40m → Wed 07:00`).

    `compact` drops the words and the resume time (the top line says when the desk opens)
    for narrow terminals. An `unverified` emergency never reads `met` (`! verify`).
    """
    state = shown_state(timer, unverified)
    symbol = SYMBOLS[state]
    if state is TimerState.NONE or timer.remaining is None:
        return f"{symbol} -" if compact else f"{symbol} no timer"
    if state is TimerState.PAUSED and timer.resumes_at is not None:
        left = hours_minutes(timer.remaining)
        if compact:
            return f"{symbol} {left}"
        return f"{symbol} {left} → {short_day_time(timer.resumes_at, zone, now)}"
    if state is TimerState.MET:
        return f"{symbol} met"
    if timer.state is TimerState.MET:  # answered, but the emergency is not verified yet
        return f"{symbol} verify"
    return f"{symbol} {hours_minutes(timer.remaining)}"


def age(since: datetime, now: datetime) -> str:
    """How long ago: `45s`, `12m`, `3h 05m`, `2d 04h`."""
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 24:
        return f"{hours}h {minutes % 60:02d}m"
    return f"{hours // 24}d {hours % 24:02d}h"


def desk_banner(status: DeskStatus, zone: ZoneInfo, now: datetime) -> str:
    """`OPEN until 19:00 CT`, `CLOSED - opens Mon 07:00 CT`, `HOLIDAY Thanksgiving Day - ...`."""
    when = short_day_time(status.next_change.at, zone, now)
    abbrev = zone_label(zone)
    if status.open:
        return f"OPEN until {when} {abbrev}"
    if status.holiday:
        return f"HOLIDAY {status.holiday} - opens {when} {abbrev}"
    return f"CLOSED - opens {when} {abbrev}"


def zone_label(zone: ZoneInfo) -> str:
    """A short label for the desk zone: `CT` for US Central, else the zone's last part."""
    known = {
        "America/Chicago": "CT",
        "America/New_York": "ET",
        "America/Denver": "MT",
        "America/Los_Angeles": "PT",
    }
    return known.get(zone.key, zone.key.rsplit("/", 1)[-1].replace("_", " "))


#: Text from the database made safe to draw in one cell (see `console.text`).
inert = inert_cell


def page_cell(
    state: str | None, step: int, at: datetime | None, by: str | None, zone: ZoneInfo
) -> str:
    """An emergency's page in a few characters: `paged 03:11 bo`, `ack 03:14 bo`,
    `step 2 03:21`, `closed` (desk-zone times); "" when it has no page."""
    if state is None or at is None:
        return ""
    when = at.astimezone(zone).strftime("%H:%M")
    who = f" {inert(by)[:8]}" if by else ""
    if state == "acked":
        return f"ack {when}{who}"
    if state == "closed":
        return "page closed"
    if step > 0:
        return f"step {step} {when}"
    return f"paged {when}{who}"


def relative(at: datetime, now: datetime) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `2 days ago`, or `in 20 min` (whole units,
    rounded down), on the console's clock: a frozen clock gives a stable picture."""
    seconds = int((now - at).total_seconds())
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        amount = f"{seconds // 60} min"
    elif seconds < 2 * 86400:
        amount = f"{seconds // 3600} h"
    else:
        days = seconds // 86400
        amount = f"{days} days"
    return f"in {amount}" if future else f"{amount} ago"

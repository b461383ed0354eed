"""How the portal words times, timers and the desk's state (desk zone, plain English)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from console.domain.billing import rate_at
from console.domain.calendar import DeskStatus
from console.domain.policy import Policy
from console.domain.sla import EMERGENCY, ClockKind, Target
from console.store.portal_reads import PortalRequest

ZONE_LABELS = {
    "America/Chicago": "CT",
    "America/New_York": "ET",
    "America/Denver": "MT",
    "America/Los_Angeles": "PT",
}


def zone_label(zone: ZoneInfo) -> str:
    return ZONE_LABELS.get(zone.key, zone.key.rsplit("/", 1)[-1].replace("_", " "))


def day_time(at: datetime, zone: ZoneInfo, now: datetime) -> str:
    """`14:05` today, `Mon 07:00` within a week, `Dec 28 07:00` further away."""
    local, today = at.astimezone(zone), now.astimezone(zone)
    if local.date() == today.date():
        return f"{local:%H:%M}"
    if abs((local.date() - today.date()).days) < 7:
        return f"{local:%a %H:%M}"
    return f"{local:%b %d %H:%M}"


def full_time(at: datetime, zone: ZoneInfo) -> str:
    """`Wed Dec 02 2026, 10:00 CT`: unambiguous, for `<time>` elements."""
    return f"{at.astimezone(zone):%a %b %d %Y, %H:%M} {zone_label(zone)}"


def iso(at: datetime) -> str:
    return at.isoformat()


def duration_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if rest or not parts:
        parts.append(f"{rest} minute" + ("s" if rest != 1 else ""))
    return " ".join(parts)


def target_words(target: Target) -> str:
    if target.clock is ClockKind.NONE:
        return "answered at once"
    clock = "business hours" if target.clock is ClockKind.BUSINESS else "around the clock"
    return f"within {duration_words(target.minutes)} ({clock})"


def desk_words(status: DeskStatus, zone: ZoneInfo, now: datetime) -> str:
    when = f"{day_time(status.next_change.at, zone, now)} {zone_label(zone)}"
    if status.open:
        return f"The desk is open until {when}."
    if status.holiday:
        return f"The desk is closed for {status.holiday} until {when}."
    return f"The desk is closed until {when}."


def hourly_rate(policy: Policy, now: datetime) -> Decimal:
    return rate_at(policy.rates, policy.calendar, now)


def hear_back(request: PortalRequest, policy: Policy, now: datetime) -> str:
    """When the contact will hear back: the due time in the desk zone, "paused until Mon
    07:00" while the desk is closed, "answered" once the desk responded."""
    return HearBack(policy, now)(request)


class HearBack:
    """`hear_back` for many requests at one instant (a request list).

    Why not `policy.sla.timer`: the timer also works out the business time left, walking
    the calendar from now to the due time for every row, and these words never show it;
    that walk was the costliest part of a long request list. The states are the timer's
    (tests/web/test_display.py holds the two to the same words); whether the desk is
    open, and when it opens, is worked out once per page, not once per row.
    """

    def __init__(self, policy: Policy, now: datetime) -> None:
        self.policy, self.now = policy, now.astimezone(UTC)
        self.zone = policy.calendar.zone
        self._resumes: tuple[datetime | None] | None = None

    def resumes_at(self) -> datetime | None:
        """When a paused business clock starts again (None while the desk is open)."""
        if self._resumes is None:
            calendar = self.policy.calendar
            closed = not calendar.is_open(self.now)
            self._resumes = (calendar.next_opening(self.now) if closed else None,)
        return self._resumes[0]

    def __call__(self, request: PortalRequest) -> str:
        if request.status == "resolved":
            return "resolved"
        zone, now = self.zone, self.now
        target = self.policy.sla_rules.target(request.channel, request.emergency)
        if target.clock is ClockKind.NONE or request.due_at is None:
            return "no target"
        if request.first_response_at is not None:
            return f"answered {day_time(request.first_response_at, zone, now)}"
        due = request.due_at.astimezone(UTC)
        if now >= due:
            return f"overdue (was due {day_time(due, zone, now)} {zone_label(zone)})"
        if target.clock is ClockKind.BUSINESS and (resumes := self.resumes_at()) is not None:
            return f"paused until {day_time(resumes, zone, now)}"
        return f"by {day_time(due, zone, now)} {zone_label(zone)}"


def emergency_target(policy: Policy) -> Target:
    return policy.sla_rules.targets[EMERGENCY]


def window_words(windows: str) -> str:
    return "closed" if windows == "closed" else windows.replace(",", ", ").replace("-", "–")


def weekday_hours(policy: Policy) -> list[tuple[str, str]]:
    desk = policy.document["desk"]
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    return [(day.title(), window_words(str(desk[day]))) for day in days]


def since(at: datetime, now: datetime) -> timedelta:
    return now - at

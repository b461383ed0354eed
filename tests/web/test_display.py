"""The "you will hear back" words of a request list: worked out without the SLA timer's
business-time walk, they must say what the timer's states say, at every kind of instant."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from console.domain.policy import Policy
from console.domain.sla import TimerState
from console.store.portal_reads import PortalRequest
from console.web import display

RECEIVED = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wednesday before Thanksgiving


def by_timer(request: PortalRequest, policy: Policy, now: datetime) -> str:
    """The words as they were first written: from `policy.sla.timer`."""
    zone = policy.calendar.zone
    if request.status == "resolved":
        return "resolved"
    timer = policy.sla.timer(request, now)
    if timer.state is TimerState.MET or timer.stopped:
        answered = request.first_response_at
        return f"answered {display.day_time(answered, zone, now)}" if answered else "answered"
    if timer.state is TimerState.NONE or request.due_at is None:
        return "no target"
    if timer.state is TimerState.PAUSED and timer.resumes_at is not None:
        return f"paused until {display.day_time(timer.resumes_at, zone, now)}"
    due = f"by {display.day_time(request.due_at, zone, now)} {display.zone_label(zone)}"
    if timer.state is TimerState.BREACHED:
        when = display.day_time(request.due_at, zone, now)
        return f"overdue (was due {when} {display.zone_label(zone)})"
    return due


def request(
    channel: str, emergency: bool, status: str, responded: bool, late: int
) -> PortalRequest:
    policy = Policy.defaults()
    received = RECEIVED + timedelta(hours=late)
    due = policy.sla.due_at(channel, received, emergency)
    return PortalRequest(
        id=1,
        summary="s",
        contact=None,
        channel=channel,
        status=status,
        emergency=emergency,
        emergency_unverified=False,
        received_at=received,
        due_at=due,
        first_response_at=received + timedelta(minutes=30) if responded else None,
        resolved_at=None,
        billing_state="none",
        last_update=received,
    )


def test_the_words_match_the_timer_at_every_hour_of_a_holiday_week() -> None:
    policy = Policy.defaults()
    cases = itertools.product(
        ["portal", "email", "voicemail", "call"],
        [False, True],
        ["open", "resolved"],
        [False, True],
        [0, 9, 50],  # in the morning, late in the day, and over the holiday
    )
    requests = [request(*case) for case in cases]
    seen = set()
    for hour in range(0, 24 * 8):
        now = RECEIVED + timedelta(hours=hour, minutes=7)
        words = display.HearBack(policy, now)
        for one in requests:
            said = words(one)
            assert said == by_timer(one, policy, now), (one, now)
            assert said == display.hear_back(one, policy, now)
            seen.add(said.split(" ")[0])
    # Every kind of answer came up, so the comparison covered each branch.
    assert seen == {"resolved", "answered", "no", "paused", "overdue", "by"}

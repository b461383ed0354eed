"""Due times and timer states (POLICY.md section 2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from console.domain.sla import (
    EMERGENCY,
    Channel,
    ClockKind,
    SlaPolicy,
    SlaRules,
    Target,
    TimerState,
    shown_state,
)
from tests.domain.conftest import ct

M = timedelta(minutes=1)


@dataclass
class Req:
    channel: str
    received_at: datetime
    due_at: datetime | None
    emergency: bool = False
    first_response_at: datetime | None = None


def make(sla: SlaPolicy, channel: str, received: datetime, emergency: bool = False) -> Req:
    return Req(channel, received, sla.due_at(channel, received, emergency), emergency)


@pytest.mark.parametrize("channel", [Channel.VOICEMAIL, Channel.EMAIL, Channel.PORTAL])
def test_business_channels_get_four_business_hours(sla: SlaPolicy, channel: Channel) -> None:
    assert sla.due_at(channel, ct(2026, 12, 4, 18)) == ct(2026, 12, 7, 10)
    assert sla.due_at(channel, ct(2026, 12, 8, 9, 30)) == ct(2026, 12, 8, 13, 30)


def test_live_call_has_no_timer(sla: SlaPolicy) -> None:
    assert sla.due_at(Channel.CALL, ct(2026, 12, 8, 9)) is None
    timer = sla.timer(make(sla, Channel.CALL, ct(2026, 12, 8, 9)), ct(2026, 12, 8, 10))
    assert timer.state is TimerState.NONE


def test_emergency_runs_one_hour_on_the_wall_clock(sla: SlaPolicy) -> None:
    # Sunday night: the desk is closed but the emergency clock runs.
    received = ct(2026, 12, 6, 23, 30)
    assert sla.due_at(Channel.VOICEMAIL, received, emergency=True) == ct(2026, 12, 7, 0, 30)
    req = make(sla, Channel.CALL, received, emergency=True)
    timer = sla.timer(req, received + 50 * M)
    assert timer.state is TimerState.WARNING
    assert timer.clock is ClockKind.WALL
    assert timer.remaining == 10 * M


def test_timer_ok_then_warning_at_a_quarter_left(sla: SlaPolicy) -> None:
    req = make(sla, Channel.EMAIL, ct(2026, 12, 8, 9))  # due 13:00
    ok = sla.timer(req, ct(2026, 12, 8, 11, 59))
    assert ok.state is TimerState.OK and ok.remaining == 61 * M
    warning = sla.timer(req, ct(2026, 12, 8, 12))
    assert warning.state is TimerState.WARNING and warning.remaining == 60 * M


def test_breached_timer_counts_up_on_the_business_clock(sla: SlaPolicy) -> None:
    req = make(sla, Channel.EMAIL, ct(2026, 12, 8, 9))  # due 13:00
    late = sla.timer(req, ct(2026, 12, 8, 13, 7))
    assert late.state is TimerState.BREACHED
    assert late.remaining == -7 * M
    # Overnight the overdue time does not grow: the business clock is stopped.
    overnight = sla.timer(req, ct(2026, 12, 9, 6))
    assert overnight.state is TimerState.BREACHED
    assert overnight.remaining == -6 * timedelta(hours=1)


def test_paused_while_closed_with_resume_time(sla: SlaPolicy) -> None:
    req = make(sla, Channel.VOICEMAIL, ct(2026, 12, 4, 18))  # 1 h Friday, 3 h Monday
    paused = sla.timer(req, ct(2026, 12, 5, 12))
    assert paused.state is TimerState.PAUSED
    assert paused.resumes_at == ct(2026, 12, 7, 7)
    assert paused.remaining == 3 * timedelta(hours=1)


def test_met_when_responded_in_time_and_breached_when_late(sla: SlaPolicy) -> None:
    req = make(sla, Channel.EMAIL, ct(2026, 12, 8, 9))
    req.first_response_at = ct(2026, 12, 8, 10)
    met = sla.timer(req, ct(2026, 12, 9, 12))
    assert met.state is TimerState.MET and met.stopped
    assert met.remaining == 3 * timedelta(hours=1)
    req.first_response_at = ct(2026, 12, 8, 14)
    late = sla.timer(req, ct(2026, 12, 9, 12))
    assert late.state is TimerState.BREACHED and late.stopped
    assert late.remaining == -1 * timedelta(hours=1)


def test_targets_are_settings(calendar) -> None:
    rules = SlaRules(
        targets={
            Channel.CALL: Target(0, ClockKind.NONE),
            Channel.VOICEMAIL: Target(120, ClockKind.BUSINESS),
            Channel.EMAIL: Target(240, ClockKind.BUSINESS),
            Channel.PORTAL: Target(480, ClockKind.BUSINESS),
            EMERGENCY: Target(30, ClockKind.WALL),
        },
        warning_fraction=0.5,
    )
    sla = SlaPolicy(calendar, rules)
    assert sla.due_at(Channel.PORTAL, ct(2026, 12, 8, 9)) == ct(2026, 12, 8, 17)
    assert sla.due_at(Channel.EMAIL, ct(2026, 12, 8, 9), emergency=True) == ct(2026, 12, 8, 9, 30)
    req = make(sla, Channel.VOICEMAIL, ct(2026, 12, 8, 9))
    assert sla.timer(req, ct(2026, 12, 8, 10)).state is TimerState.WARNING


def test_negative_target_is_refused() -> None:
    with pytest.raises(ValueError):
        Target(-1, ClockKind.WALL)


def test_an_unverified_emergency_is_never_shown_met(sla: SlaPolicy) -> None:
    """A phoned-in emergency is answered at once (met), but not verified: it must read as
    something to do, not a green tick (issue 18)."""
    received = ct(2026, 12, 8, 9)
    req = make(sla, Channel.CALL, received, emergency=True)
    req.first_response_at = received
    timer = sla.timer(req, received + 5 * M)
    assert timer.state is TimerState.MET
    assert shown_state(timer, unverified=True) is TimerState.WARNING
    assert shown_state(timer, unverified=False) is TimerState.MET
    # Other states are shown as they are, verified or not.
    running = sla.timer(make(sla, Channel.EMAIL, received), received + 5 * M)
    assert shown_state(running, unverified=True) is running.state

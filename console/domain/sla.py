"""Response targets and the timers people watch (POLICY.md section 2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Protocol

from console.domain.calendar import DeskCalendar


class Channel(StrEnum):
    """How a request reached the desk."""

    CALL = "call"  # answered live
    VOICEMAIL = "voicemail"  # all lines busy, message left
    EMAIL = "email"
    PORTAL = "portal"


#: The key of the emergency target in `SlaRules.targets`.
EMERGENCY = "emergency"


class ClockKind(StrEnum):
    BUSINESS = "business"  # runs only while the desk is open
    WALL = "wall"  # runs all the time
    NONE = "none"  # no timer: answered at once


@dataclass(frozen=True)
class Target:
    minutes: int
    clock: ClockKind

    def __post_init__(self) -> None:
        if self.minutes < 0:
            raise ValueError("a target cannot be negative")

    @cached_property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.minutes)


def _default_targets() -> dict[str, Target]:
    return {
        Channel.CALL: Target(0, ClockKind.NONE),
        Channel.VOICEMAIL: Target(240, ClockKind.BUSINESS),
        Channel.EMAIL: Target(240, ClockKind.BUSINESS),
        Channel.PORTAL: Target(240, ClockKind.BUSINESS),
        EMERGENCY: Target(60, ClockKind.WALL),
    }


@dataclass(frozen=True)
class SlaRules:
    #: Channel name (or "emergency") to its target.
    targets: Mapping[str, Target] = field(default_factory=_default_targets)
    #: A timer turns to warning when this fraction of its target or less is left.
    warning_fraction: float = 0.25

    def target(self, channel: Channel | str, emergency: bool = False) -> Target:
        """The target of `channel` (any channel's emergency shares one target)."""
        try:  # str keys find StrEnum keys: no enum conversion on this hot path
            return self.targets[EMERGENCY if emergency else channel]
        except KeyError:
            accepted = ", ".join(c.value for c in Channel)
            raise ValueError(f"unknown channel {channel!r} (accepted: {accepted})") from None


class TimerState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    NONE = "none"  # nothing to time


class TimedRequest(Protocol):
    """What a timer needs to know about a request."""

    @property
    def channel(self) -> str: ...
    @property
    def emergency(self) -> bool: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def first_response_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Timer:
    state: TimerState
    clock: ClockKind
    #: Time left on the request's clock; negative when overdue; None without a timer.
    remaining: timedelta | None = None
    #: When a paused business clock starts again.
    resumes_at: datetime | None = None
    #: True once the first response stopped the clock.
    stopped: bool = False


class SlaPolicy:
    """Due times and timer states on the right clock."""

    def __init__(self, calendar: DeskCalendar, rules: SlaRules | None = None) -> None:
        self.calendar = calendar
        self.rules = rules or SlaRules()

    def due_at(
        self, channel: Channel | str, received_at: datetime, emergency: bool = False
    ) -> datetime | None:
        """When the first response is due, or None when the channel has no timer."""
        target = self.rules.target(channel, emergency)
        clock = target.clock
        if clock is ClockKind.BUSINESS:
            return self.calendar.add_business_time(received_at, target.duration)
        if clock is ClockKind.WALL:
            return received_at.astimezone(UTC) + target.duration
        return None

    def _left(self, clock: ClockKind, now: datetime, due: datetime) -> timedelta:
        if clock is ClockKind.BUSINESS:
            return self.calendar.business_time_between(now, due)
        return due - now

    def timer(self, request: TimedRequest, now: datetime) -> Timer:
        """The timer's state at `now`, with the time left (or overdue) on its clock."""
        target = self.rules.target(request.channel, request.emergency)
        due = request.due_at
        if target.clock is ClockKind.NONE or due is None:
            return Timer(TimerState.NONE, ClockKind.NONE)
        due = due.astimezone(UTC)
        now = now.astimezone(UTC)
        responded = request.first_response_at
        if responded is not None:
            left = self._left(target.clock, responded.astimezone(UTC), due)
            state = TimerState.MET if responded <= due else TimerState.BREACHED
            return Timer(state, target.clock, left, stopped=True)
        left = self._left(target.clock, now, due)
        if now >= due:
            return Timer(TimerState.BREACHED, target.clock, left)
        if target.clock is ClockKind.BUSINESS and not self.calendar.is_open(now):
            return Timer(TimerState.PAUSED, target.clock, left, self.calendar.next_opening(now))
        if left <= target.duration * self.rules.warning_fraction:
            return Timer(TimerState.WARNING, target.clock, left)
        return Timer(TimerState.OK, target.clock, left)


def shown_state(timer: Timer, unverified: bool) -> TimerState:
    """The state a person is shown: an emergency not yet verified is never `met`, however
    soon it was answered (verifying it is still to do, POLICY.md section 3); it reads as
    a warning until verified."""
    if unverified and timer.state is TimerState.MET:
        return TimerState.WARNING
    return timer.state

"""Paging: who is paged about an emergency, when the next step comes due, what a page says.

Why: an emergency at 03:10 must reach a person, and a person who does not acknowledge it
in time must not be the end of it (POLICY.md section 10). The escalation policy is part of
the desk policy (`paging` section of the document, see `console.domain.policy`); this
module is its pure half: the section's shape and defaults, the targets of each step from a
picture of who is reachable (`Reach`, read by the store), the instant the next step comes
due (the clock passed in), and the text of a page and of a shift handoff.

The steps: step 0 pages the first people (the assignee; while unassigned, whoever is on
call when the desk is closed, the on-duty leads and dispatchers when it is open; the desk
lead when there is nobody). Each `ack_timeout_minutes` without an acknowledgement the next
step of `steps` comes due: `repeat` (the same people again), `next-on-call` (the person
whose on-call shift starts next), `desk-lead` (the desk's leads). After the last step the
last step repeats every timeout until someone acknowledges: 24/7 means nobody is left
un-told.

How it fails: a bad section raises `PolicyError` naming the key (`paging.steps[1]: ...`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

REPEAT, NEXT_ON_CALL, DESK_LEAD = "repeat", "next-on-call", "desk-lead"
STEP_KINDS = (REPEAT, NEXT_ON_CALL, DESK_LEAD)
#: The longest escalation a desk may configure (a typo guard).
MAX_STEPS = 10


class PagingError(ValueError):
    """A paging section that cannot be used; the message is one line naming the key."""


def default_section() -> dict[str, Any]:
    """Ack within 10 minutes, then page again, the next person on call, the desk lead."""
    return {"ack_timeout_minutes": 10, "steps": [REPEAT, NEXT_ON_CALL, DESK_LEAD]}


def normalise_section(section: Mapping[str, Any]) -> dict[str, Any]:
    """`section` with defaults filled in and checked; raises `PagingError`."""
    merged = default_section() | dict(section)
    for key in merged:
        if key not in ("ack_timeout_minutes", "steps"):
            raise PagingError(f"unknown key 'paging.{key}'")
    minutes = merged["ack_timeout_minutes"]
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 1440:
        raise PagingError(
            f"paging.ack_timeout_minutes: {minutes!r} is not whole minutes from 1 to 1440"
        )
    steps = merged["steps"]
    if isinstance(steps, str):
        steps = [s.strip() for s in steps.split(",") if s.strip()]
    if not isinstance(steps, list | tuple) or not 1 <= len(steps) <= MAX_STEPS:
        raise PagingError(f"paging.steps: must be a list of 1 to {MAX_STEPS} steps")
    for index, step in enumerate(steps):
        if step not in STEP_KINDS:
            raise PagingError(
                f"paging.steps[{index}]: {str(step)[:30]!r} is not one of {', '.join(STEP_KINDS)}"
            )
    return {"ack_timeout_minutes": minutes, "steps": list(steps)}


@dataclass(frozen=True)
class PagingRules:
    """The escalation policy in effect."""

    ack_timeout: timedelta
    steps: tuple[str, ...]

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> PagingRules:
        checked = normalise_section(section)
        return cls(timedelta(minutes=checked["ack_timeout_minutes"]), tuple(checked["steps"]))

    @classmethod
    def defaults(cls) -> PagingRules:
        return cls.from_section(default_section())

    def step_kind(self, step: int) -> str:
        """What step `step` (1 = the first escalation) does; past the end, the last again."""
        if step < 1:
            raise ValueError("step 0 is the first page, not an escalation")
        return self.steps[min(step, len(self.steps)) - 1]

    def next_due(self, paged_at: datetime) -> datetime:
        """When the next step comes due if nobody acknowledges a page sent at `paged_at`."""
        return paged_at + self.ack_timeout


@dataclass(frozen=True)
class Reach:
    """Who could be paged at one instant (read by the store, decided on here)."""

    desk_open: bool
    assignee: str | None = None
    on_call_now: tuple[str, ...] = ()
    on_call_next: str | None = None
    #: Leads and dispatchers on a duty shift now.
    on_duty_leads: tuple[str, ...] = ()
    #: The desk department's leads: the end of every escalation.
    desk_leads: tuple[str, ...] = ()


def _or_leads(handles: Sequence[str], reach: Reach) -> tuple[str, ...]:
    unique = tuple(dict.fromkeys(h for h in handles if h))
    return unique or reach.desk_leads


def first_targets(reach: Reach) -> tuple[str, ...]:
    """Step 0: the assignee; unassigned, on call (closed) or on-duty leads (open); else leads."""
    if reach.assignee:
        return (reach.assignee,)
    if reach.desk_open:
        return _or_leads(reach.on_duty_leads, reach)
    return _or_leads(reach.on_call_now, reach)


def step_targets(kind: str, reach: Reach, previous: Sequence[str]) -> tuple[str, ...]:
    """Who an escalation step of `kind` pages, given who was paged at the step before."""
    if kind == REPEAT:
        return _or_leads(previous, reach) if previous else first_targets(reach)
    if kind == NEXT_ON_CALL:
        nxt = reach.on_call_next
        return (nxt,) if nxt and nxt not in previous else reach.desk_leads
    if kind == DESK_LEAD:
        return reach.desk_leads
    raise ValueError(f"unknown step {kind!r}")


# -- what a page says ---------------------------------------------------------------------


@dataclass(frozen=True)
class EmergencyFacts:
    request_id: int
    customer: str
    summary: str
    verified: bool
    #: (name, phone) of the customer's designated emergency contacts.
    designated: tuple[tuple[str, str | None], ...]
    received_local: str
    raised_by: str | None = None


def _one_line(text: str, width: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def page_text(facts: EmergencyFacts, step: int, ack_command: str) -> tuple[str, str]:
    """(subject, body) of an emergency page; the subject is the body's first line."""
    if facts.verified:
        state = "verified"
    else:
        people = "; ".join(f"{n} {p or '(no phone)'}" for n, p in facts.designated) or "none"
        state = f"UNVERIFIED: call back a designated contact: {people}"
    first = _one_line(
        f"EMERGENCY request {facts.request_id} {facts.customer}: {state}. Ack: {ack_command}",
        400,
    )
    lines = [first, ""]
    if step:
        lines.append(f"Escalation step {step}: not acknowledged in time.")
    lines.append(
        f"Received {facts.received_local}" + (f" from {facts.raised_by}" if facts.raised_by else "")
    )
    lines.append(f"Summary: {_one_line(facts.summary, 1000)}")
    if facts.designated:
        lines.append("Designated contacts:")
        lines += [f"  {n}: {p or 'no phone on file'}" for n, p in facts.designated]
    lines += ["", f"Acknowledge to stop the escalation: {ack_command}"]
    return first, "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Handoff:
    outgoing: str
    incoming: str | None
    #: (request id, customer, one line) of each open emergency.
    emergencies: tuple[tuple[int, str, str], ...]
    #: (request id, customer) of each open request needing a billing notice.
    billing: tuple[tuple[int, str], ...]
    #: (start, end) desk-local text of each on-call gap in the next 24 hours.
    gaps: tuple[tuple[str, str], ...]


def handoff_text(handoff: Handoff, ack_command: str) -> tuple[str, str]:
    """(subject, body) of a shift handoff page."""
    who = handoff.incoming or "NOBODY ON CALL"
    first = (
        f"HANDOFF on call {handoff.outgoing} -> {who}: {len(handoff.emergencies)} open "
        f"emergencies, {len(handoff.billing)} need a billing notice, {len(handoff.gaps)} "
        f"coverage gaps in 24 h. Ack: {ack_command}"
    )
    lines = [first, "", "Open emergencies:"]
    lines += [f"  {i} {c}: {_one_line(s, 120)}" for i, c, s in handoff.emergencies] or ["  none"]
    lines.append("Needing a billing notice:")
    lines += [f"  {i} {c}" for i, c in handoff.billing] or ["  none"]
    lines.append("Coverage gaps (nobody on call, desk closed), next 24 h:")
    lines += [f"  {a} to {b}" for a, b in handoff.gaps] or ["  none"]
    lines += ["", f"Acknowledge: {ack_command}"]
    return first, "\n".join(lines) + "\n"


# -- delivery -----------------------------------------------------------------------------


def retry_delay(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """Exponential backoff after the `attempts`-th failed attempt: base, 2 base, 4 base, ..."""
    if attempts < 1:
        return base
    return min(cap, base * (1 << min(attempts - 1, 30)))

"""What the simulator's desk agents do: each kind of action, and who would take it.

`DeskActions` holds who is at the desk (read by `Simulator._load`) and one method per kind
of action, `_new`, `_respond`, ...: each takes a session and the clock's now, makes one
`console.store.commands` call as whoever would act, and returns the `Action` it took, or
None when there was nothing of its kind to do. `console.store.simulate` picks and paces them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from console.clock import Clock
from console.store import commands as c
from console.store.commands import Rules
from console.store.demo_plan import EMERGENCIES, TOPICS
from console.store.models import AgentPresence, Escalation, Request, Shift, Staff
from console.store.simulate_status import Action

#: From each presence, what someone on duty may switch to next.
PRESENCE_NEXT = {
    "available": ["on-a-call"] * 5 + ["away"],
    "on-a-call": ["available"],
    "away": ["available"],
}
CHANNELS_OPEN = {"call": 35, "voicemail": 20, "email": 30, "portal": 15}
CHANNELS_CLOSED = {"voicemail": 45, "email": 35, "portal": 20}


class DeskActions:
    """Who is at the desk and the actions they take; `Simulator` adds the loop."""

    def __init__(
        self, clock: Clock, rules: Rules, rng: random.Random, *, signed_in: str | None = None
    ) -> None:
        self.clock, self.rules, self.rng = clock, rules, rng
        #: Never acted as: the person signed in at the console beside the simulator.
        self.signed_in = (signed_in or "").strip().lower() or None
        self.targets: dict[str, tuple[int, str, str]] = {}  # everyone active, them too
        self.theirs: int | None = None  # the signed-in person's staff id
        self.staff: dict[str, tuple[int, str, str]] = {}  # handle: (id, role, department)
        self.contacts: dict[int, list[tuple[int, bool]]] = {}  # customer id: (id, designated)
        self.closed = False

    # -- who does it -----------------------------------------------------------------

    def _who(
        self, roles: str = "agent dispatcher lead", department: str | None = "desk"
    ) -> list[str]:
        """Active staff with one of `roles` (space-separated) in `department` (None: any)."""
        return sorted(
            h
            for h, (_, role, dept) in self.staff.items()
            if role in roles.split() and department in (None, dept)
        )

    def _on_shift(self, session: Session, now: datetime, kind: str) -> list[str]:
        rows = session.scalars(
            select(Staff.handle)
            .join(Shift, Shift.staff_id == Staff.id)
            .where(Shift.kind == kind, Shift.starts_at <= now, Shift.ends_at > now)
        )
        return sorted(set(rows) & set(self.staff))

    def _agent(self, session: Session, now: datetime) -> str:
        """Someone on the desk who would pick up now: on duty, else on call, else anyone."""
        desk = set(self._who())
        for kind in ("duty", "on-call"):
            here = [h for h in self._on_shift(session, now, kind) if h in desk]
            if here:
                return self.rng.choice(here)
        return self.rng.choice(sorted(desk) or sorted(self.staff))

    def _pick(
        self, session: Session, query: Select[*tuple[Any, ...]], n: int = 6
    ) -> Row[*tuple[Any, ...]] | None:
        rows = session.execute(query.limit(n)).all()
        return self.rng.choice(rows) if rows else None

    # -- the actions -------------------------------------------------------------------

    def _new(self, session: Session, now: datetime) -> Action | None:
        rng = self.rng
        customer = rng.choice(sorted(self.contacts))
        choices = self.contacts[customer]
        contact, designated = rng.choice(choices) if choices and rng.random() < 0.85 else (0, False)
        mix = CHANNELS_CLOSED if self.closed else CHANNELS_OPEN
        channel = rng.choices(list(mix), weights=list(mix.values()))[0]
        emergency = bool(contact) and rng.random() < (0.04 if designated else 0.01)
        kind = rng.choices(list(TOPICS), weights=(6, 2, 2))[0]
        summary = rng.choice(EMERGENCIES if emergency else TOPICS[kind])
        if emergency and channel == "call":
            channel = "voicemail"
        actor = self._agent(session, now)
        who = str(contact) if contact else None
        view = c.log_request(
            session,
            actor,
            now,
            self.rules,
            channel=channel,
            customer=customer,
            summary=summary,
            contact=who,
            emergency=emergency,
            received_at=now,
        )
        what = f"#{view.id} {'EMERGENCY ' if emergency else ''}{channel} from {view.customer}"
        return Action(now, "new", actor, "request", view.id, f"{what}: {summary}")

    def _open_requests(self, anytime: bool = False) -> Select[*tuple[Any, ...]]:
        """Open requests someone would work on now: after hours only emergencies and those
        whose customer was told the work is billable."""
        query = select(Request.id, Request.version, Request.assignee_id, Request.received_at).where(
            Request.status == "open", Request.received_at <= self.clock.now()
        )
        if self.theirs is not None:  # the signed-in person's requests are theirs to work
            query = query.where(
                Request.assignee_id.is_(None) | (Request.assignee_id != self.theirs)
            )
        if self.closed and not anytime:
            query = query.where(Request.emergency | (Request.billing_state == "notified"))
        return query

    def _respond(self, session: Session, now: datetime) -> Action | None:
        query = self._open_requests().where(Request.first_response_at.is_(None))
        row = self._pick(session, query.order_by(Request.due_at))
        if row is None:
            return None
        actor = self._worker(session, now, row.assignee_id)
        c.respond(session, actor, now, request_id=row.id, expected_version=row.version)
        return Action(now, "respond", actor, "request", row.id, f"#{row.id} first response")

    def _assign(self, session: Session, now: datetime) -> Action | None:
        row = self._pick(session, self._open_requests().where(Request.assignee_id.is_(None)))
        dispatchers = self._who("dispatcher lead")
        if row is None or not dispatchers:
            return None
        on_duty = set(self._on_shift(session, now, "duty"))
        actor = self.rng.choice(sorted(on_duty & set(dispatchers)) or dispatchers)
        agents = self._who("agent")
        to = self.rng.choice(sorted(on_duty & set(agents)) or agents or dispatchers)
        c.assign(session, actor, now, request_id=row.id, to=to, expected_version=row.version)
        return Action(now, "assign", actor, "request", row.id, f"#{row.id} to {to}")

    def _resolve(self, session: Session, now: datetime) -> Action | None:
        query = self._open_requests().where(Request.first_response_at.is_not(None))
        row = self._pick(session, query.order_by(Request.received_at), n=10)
        if row is None:
            return None
        actor = self._worker(session, now, row.assignee_id)
        c.resolve(session, actor, now, request_id=row.id, expected_version=row.version)
        return Action(now, "resolve", actor, "request", row.id, f"#{row.id} resolved")

    def _escalate(self, session: Session, now: datetime) -> Action | None:
        escalated = select(Escalation.request_id).where(Escalation.status == "open")
        query = self._open_requests().where(
            Request.first_response_at.is_not(None), Request.id.not_in(escalated)
        )
        row = self._pick(session, query.order_by(Request.received_at.desc()))
        if row is None:
            return None
        kind = self.rng.choices(["product", "additional-services", "other"], weights=(5, 2, 2))[0]
        people = self._who("lead", None) + self._who(department="customer-care")
        to = self.rng.choice(people) if kind == "other" and people else None
        actor = self._worker(session, now, row.assignee_id)
        why = "Liaison cannot assist: needs the team that owns it"
        view = c.escalate(session, actor, now, request_id=row.id, kind=kind, to=to, reason=why)
        where = f"{view.destination}" + (f" ({to})" if to else "")
        return Action(now, "escalate", actor, "escalation", view.id, f"#{row.id} to {where}")

    def _reassign(self, session: Session, now: datetime) -> Action | None:
        query = select(Escalation).where(Escalation.status == "open")
        if self.theirs is not None:
            query = query.where(
                Escalation.assignee_id.is_(None) | (Escalation.assignee_id != self.theirs)
            )
        found = self._pick(session, query.order_by(Escalation.opened_at.desc()))
        if found is None:
            return None
        row = found[0]
        team = {"customer-care": "customer-care", "technical": "technical"}.get(row.destination)
        # The lead of the team it went to, else any lead (never the person signed in).
        leads = self._who("lead", team) or self._who("lead", None)
        if not leads:
            return None
        people = self._who(department=team) if team else self._who(department=None)
        others = [h for h in people if self.staff[h][0] != row.assignee_id]
        if not others:
            return None
        to, actor = self.rng.choice(others), self.rng.choice(leads)
        c.reassign_escalation(
            session,
            actor,
            now,
            escalation_id=row.id,
            to=to,
            reason=f"{to} has the time today",
            expected_version=row.version,
        )
        return Action(now, "reassign", actor, "escalation", row.id, f"escalation {row.id} to {to}")

    def _priority(self, session: Session, now: datetime) -> Action | None:
        """A technical lead moves one of the newest technical items somewhere in the order."""
        leads = self._who("lead", "technical")
        query = select(Escalation.id, Escalation.version).where(
            Escalation.status == "open", Escalation.destination == "technical"
        )
        row = self._pick(session, query.order_by(Escalation.opened_at.desc()))
        if row is None or not leads:
            return None
        count = session.scalar(select(func.count()).select_from(query.subquery())) or 1
        place = self.rng.randint(1, count)
        actor = self.rng.choice(leads)
        moved = c.set_technical_priority(
            session, actor, now, escalation_id=row.id, priority=place, expected_version=row.version
        )
        detail = f"escalation {row.id} is #{moved.technical_priority}"
        return Action(now, "priority", actor, "escalation", row.id, detail)

    def _work(self, session: Session, now: datetime) -> Action | None:
        query = self._open_requests().where(Request.first_response_at.is_not(None))
        row = self._pick(session, query.order_by(Request.received_at.desc()))
        if row is None:
            return None
        actor = self._worker(session, now, row.assignee_id)
        # Work starts after the request came in: never before it was received.
        started = max(now - timedelta(minutes=self.rng.randint(5, 45)), row.received_at)
        minutes = int((now - started).total_seconds() // 60)
        if minutes < 1:
            return None
        view = c.log_work(
            session,
            actor,
            now,
            self.rules,
            request_id=row.id,
            ended_at=now,
            started_at=started,
            note="Worked on it",
        )
        return Action(now, "work", actor, "work_log", view.id, f"#{row.id} {minutes} min")

    def _billing(self, session: Session, now: datetime) -> Action | None:
        query = self._open_requests(anytime=True).where(Request.billing_state == "needs-notice")
        row = self._pick(session, query.order_by(Request.received_at))
        if row is None:
            return None
        actor = self._agent(session, now)
        if self.rng.random() < 0.6:
            method = self.rng.choice(["phone", "email"])
            view = c.record_billing_notice(
                session, actor, now, request_id=row.id, method=method, expected_version=row.version
            )
            detail = f"#{row.id} billing notice by {method}"
            return Action(now, "notice", actor, "billing_notice", view.id, detail)
        c.record_decline(session, actor, now, request_id=row.id, expected_version=row.version)
        return Action(now, "decline", actor, "request", row.id, f"#{row.id} billing declined")

    def _presence(self, session: Session, now: datetime) -> Action | None:
        on_duty = self._on_shift(session, now, "duty")
        if not on_duty:
            return None
        handle = self.rng.choice(on_duty)
        staff_id = self.staff[handle][0]
        current = session.scalar(
            select(AgentPresence.state).where(AgentPresence.staff_id == staff_id)
        )
        state = self.rng.choice(PRESENCE_NEXT.get(current or "away", ["available"]))
        c.set_presence(session, handle, now, staff=handle, state=state)
        return Action(now, "presence", handle, "agent_presence", staff_id, f"{handle} {state}")

    def _worker(self, session: Session, now: datetime, assignee_id: int | None) -> str:
        """The assignee in desk hours; after hours whoever is on call."""
        return (not self.closed and self._handle(assignee_id)) or self._agent(session, now)

    def _handle(self, staff_id: int | None) -> str | None:
        return next((h for h, (sid, _, _) in self.staff.items() if sid == staff_id), None)

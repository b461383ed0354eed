"""The demo desk's plan: who works here, which towns call, and what happened when.

`Planner` turns a seed and `now` into staff, customers and shifts (written at once) and
a list of `Step`s (past and open requests, presence) that `console.store.demo.seed` runs
in time order through `console.store.commands`. Only `random.Random(seed)` decides.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.calendar import DeskCalendar
from console.domain.localtime import local_at
from console.store import commands as c
from console.store.commands import Rules
from console.store.demo_cast import (
    AGENTS as AGENTS,
)
from console.store.demo_cast import (
    AREA as AREA,
)
from console.store.demo_cast import (
    CUSTOMER_CARE as CUSTOMER_CARE,
)
from console.store.demo_cast import (
    DESK_LEAD as DESK_LEAD,
)
from console.store.demo_cast import (
    DISPATCHERS as DISPATCHERS,
)
from console.store.demo_cast import (
    EMERGENCIES as EMERGENCIES,
)
from console.store.demo_cast import (
    FIRST as FIRST,
)
from console.store.demo_cast import (
    LAST as LAST,
)
from console.store.demo_cast import (
    MUNICIPALITIES as MUNICIPALITIES,
)
from console.store.demo_cast import (
    PEOPLE as PEOPLE,
)
from console.store.demo_cast import (
    STAFF as STAFF,
)
from console.store.demo_cast import (
    TECH_LEAD as TECH_LEAD,
)
from console.store.demo_cast import (
    TOPICS as TOPICS,
)
from console.store.demo_cast import (  # re-exported: callers import them from here
    lines_of,
)
from console.store.models import Contact, Customer, Staff

# -- time helpers shared with the planner and the simulator -------------------------------


def business_before(calendar: DeskCalendar, at: datetime, elapsed: timedelta) -> datetime:
    """The instant from which `elapsed` of open desk time has passed by `at`."""
    left = elapsed
    day = calendar.local_date(at)
    for _ in range(400):
        for start, end in reversed(calendar.openings(day)):
            if start < at:
                lo, hi = start, min(end, at)
                if hi - lo >= left:
                    return hi - left
                left -= hi - lo
        day -= timedelta(days=1)
    raise ValueError("the desk calendar has too few open days before that instant")


def last_close(calendar: DeskCalendar, at: datetime) -> datetime:
    """When the desk last closed at or before `at`."""
    day = calendar.local_date(at)
    for _ in range(400):
        for _, end in reversed(calendar.openings(day)):
            if end <= at:
                return end
        day -= timedelta(days=1)
    raise ValueError("the desk calendar has no opening before that instant")


def desk_time(calendar: DeskCalendar, day: date, hour: int, minute: int = 0) -> datetime:
    """Desk-local wall-clock time on `day` as a UTC instant."""
    return local_at(day, time(hour, minute), calendar.zone)


@dataclass
class Step:
    """One action of the plan, run at its own time `at` (`order` keeps a request's steps
    in sequence when times tie)."""

    at: datetime
    order: int
    action: Callable[[Session, datetime], Any]

    def run(self, session: Session) -> Any:
        return self.action(session, self.at)


#: Stands for the request's id (or its escalation's) until the request is logged.
REQUEST, ESCALATION = object(), object()
KINDS = ["product", "additional-services", "other"]
ROTA = DISPATCHERS + AGENTS  # who takes on-call nights and weekends, in turn


class Ticket:
    """The steps of one request; each runs no earlier than the one before, never after now."""

    def __init__(self, plan: Planner, at: datetime) -> None:
        self.plan, self.last = plan, at
        self.id = self.escalation = 0
        self.pending: list[tuple[datetime, Callable[..., Any], str, dict[str, Any]]] = []

    def then(self, at: datetime, fn: Callable[..., Any], actor: str, **kwargs: Any) -> datetime:
        self.last = min(max(at, self.last), self.plan.now)
        self.pending.append((self.last, fn, actor, kwargs))
        return self.last

    def commit(self) -> None:
        for at, fn, actor, kwargs in self.pending:
            self.plan.add(at, self._runner(fn, actor, kwargs))

    def _runner(
        self, fn: Callable[..., Any], actor: str, kwargs: dict[str, Any]
    ) -> Callable[[Session, datetime], Any]:
        def run(session: Session, at: datetime) -> Any:
            ids = {REQUEST: self.id, ESCALATION: self.escalation}
            args = {k: ids[v] if v is REQUEST or v is ESCALATION else v for k, v in kwargs.items()}
            result = fn(session, actor, at, **args)
            if fn is c.log_request:
                self.id = result.id
            elif fn is c.escalate:
                self.escalation = result.id
            return result

        return run


class Planner:
    """Plans the demo desk at `now` from `rng`; `setup` writes people, `steps` the rest."""

    def __init__(
        self, rules: Rules, now: datetime, rng: random.Random, history_days: int = 21
    ) -> None:
        self.rules, self.now, self.rng = rules, now, rng
        self.cal = rules.calendar
        self.today = self.cal.local_date(now)
        self.history_days = history_days
        self.setup_at = min(
            now, desk_time(self.cal, self.today - timedelta(days=history_days + 1), 8)
        )
        self.customers: list[tuple[str, list[tuple[str, bool]]]] = []
        self.duty: list[tuple[str, datetime, datetime]] = []
        self.customers_added = self.contacts_added = 0
        self._steps: list[Step] = []

    def add(self, at: datetime, action: Callable[[Session, datetime], Any]) -> None:
        self._steps.append(Step(at, len(self._steps), action))

    def steps(self) -> list[Step]:
        """Every planned action, oldest first."""
        return sorted(self._steps, key=lambda s: (s.at, s.order))

    def target(self, channel: str, emergency: bool = False) -> int:
        return self.rules.sla.rules.target(channel, emergency).minutes

    # -- people, towns and the roster ------------------------------------------------

    def setup(self, session: Session) -> None:
        """Add the staff, customers, contacts and shifts (those not there yet)."""
        at = self.setup_at
        have = set(session.scalars(select(Staff.handle)))
        leads = list(session.scalars(select(Staff.handle).where(Staff.role == "lead")))
        for handle, name, role, department in STAFF:
            if handle not in have:
                by = DESK_LEAD if DESK_LEAD in have else (leads[0] if leads else None)
                c.add_staff(
                    session, by, at, handle=handle, name=name, role=role, department=department
                )
                have.add(handle)
        known = set(session.scalars(select(Customer.municipality)))
        for index, town in enumerate(lines_of(MUNICIPALITIES)):
            due = self._check_in(index)
            contacts = self._contacts(town)
            if town in known:
                continue
            liaison = AGENTS[index % len(AGENTS)]
            c.add_customer(
                session, DESK_LEAD, at, municipality=town, liaison=liaison, next_check_in=due
            )
            self.customers_added += 1
            for name, phone, email, designated in contacts:
                c.add_contact(
                    session,
                    DESK_LEAD,
                    at,
                    customer=town,
                    name=name,
                    phone=phone,
                    email=email,
                    designated=designated,
                )
                self.contacts_added += 1
        for town in lines_of(MUNICIPALITIES):
            rows = session.execute(
                select(Contact.id, Contact.designated_for_emergencies)
                .join(Customer, Customer.id == Contact.customer_id)
                .where(Customer.municipality == town)
                .order_by(Contact.id)
            ).all()
            self.customers.append((town, [(str(i), bool(d)) for i, d in rows]))
        for handle, kind, start, end in self._duty_shifts() + self._on_call_shifts():
            c.add_shift(
                session, DESK_LEAD, at, staff=handle, kind=kind, starts_at=start, ends_at=end
            )

    def _check_in(self, index: int) -> date:
        days = {0: -self.rng.randint(1, 20), 1: self.rng.randint(0, 6)}.get(index % 6)
        return self.today + timedelta(days if days is not None else self.rng.randint(8, 90))

    def _contacts(self, town: str) -> list[tuple[str, str, str, bool]]:
        state = town.rsplit(", ", 1)[1]
        domain = town.split(" of ", 1)[1].split(",")[0].replace(" ", "").lower()
        people = self.rng.sample([(f, la) for f in FIRST for la in LAST], self.rng.randint(2, 4))
        return [
            (
                f"{first} {last}",
                f"({AREA[state]}) 555-01{self.rng.randint(0, 99):02d}",
                f"{first[0]}{last}@{domain}{state}.example".lower(),
                j in (0, 3),
            )
            for j, (first, last) in enumerate(people)
        ]

    def _duty_shifts(self) -> list[tuple[str, str, datetime, datetime]]:
        shifts = []
        for offset in range(-7, 8):
            day = self.today + timedelta(offset)
            spans = self.cal.openings(day)
            if not spans:
                continue
            o, cl = spans[0][0], spans[-1][1]  # a duty shift runs through a lunch break
            early, late = (
                (o, min(cl, o + timedelta(hours=8))),
                (max(o, cl - timedelta(hours=8)), cl),
            )
            week = day.isocalendar().week
            if o + timedelta(hours=1) < cl:
                lead_end = min(cl, o + timedelta(hours=9))
                shifts.append((DESK_LEAD, "duty", o + timedelta(hours=1), lead_end))
            for k, handle in enumerate(DISPATCHERS + AGENTS):
                start, end = early if (k + week) % 2 == 0 else late
                shifts.append((handle, "duty", start, end))
        self.duty = [(h, s, e) for h, _, s, e in shifts]
        return shifts

    def _on_call_shifts(self) -> list[tuple[str, str, datetime, datetime]]:
        """Every closed stretch covered by one person in turn, except most of one night
        (a Wednesday if one is coming) within the next 7 days: the deliberate gap."""
        opens = [s for d in range(-8, 13) for s in self.cal.openings(self.today + timedelta(d))]
        stretches = [(a[1], b[0]) for a, b in pairwise(opens)]
        horizon = self.now + timedelta(days=7, hours=-5)
        soon = [s for s in stretches if self.now < s[0] < horizon]
        wednesday = [s for s in soon if self.cal.local_date(s[0]).weekday() == 2]
        gap = (wednesday or soon)[0] if wednesday or soon else None
        shifts = []
        for index, (start, end) in enumerate(stretches):
            if (start, end) == gap:
                end = start + timedelta(hours=4)
            shifts.append((ROTA[index % len(ROTA)], "on-call", start, end))
        return shifts

    # -- requests ------------------------------------------------------------------

    def topic(self, kind: str | None = None) -> tuple[str, str]:
        kind = kind or self.rng.choices(KINDS, weights=(6, 2, 2))[0]
        return kind, self.rng.choice(TOPICS[kind])

    def log(
        self,
        received: datetime,
        channel: str,
        summary: str,
        *,
        contact: str | None = None,
        town: str | None = None,
        emergency: bool = False,
    ) -> Ticket:
        if town is None:
            town, contacts = self.rng.choice(self.customers)
            if contacts and self.rng.random() < 0.85:
                contact = self.rng.choice(contacts)[0]
        ticket = Ticket(self, received)
        delay = 0 if channel == "call" else self.rng.randint(1, 8)
        ticket.then(
            received + timedelta(minutes=delay),
            c.log_request,
            self.rng.choice(AGENTS + DISPATCHERS),
            rules=self.rules,
            channel=channel,
            customer=town,
            summary=summary,
            contact=contact,
            emergency=emergency,
            received_at=received,
        )
        return ticket

    def escalate(
        self, ticket: Ticket, at: datetime, kind: str, by: str, to: str | None = None
    ) -> datetime:
        to = (
            to
            or {
                "other": self.rng.choice(PEOPLE),
                "product": self.rng.choice(["kokafor", None]),
                "additional-services": self.rng.choice([*CUSTOMER_CARE, None]),
            }[kind]
        )
        reason = "Liaison cannot assist: needs the team that owns it"
        return ticket.then(at, c.escalate, by, request_id=REQUEST, kind=kind, to=to, reason=reason)

    def work(self, ticket: Ticket, start: datetime, minutes: int, by: str, closed_ok: bool) -> None:
        end = start + timedelta(minutes=minutes)
        inside = self.cal.business_time_between(start, end) == end - start
        if end <= self.now - timedelta(minutes=1) and (inside or closed_ok):
            ticket.then(
                end,
                c.log_work,
                by,
                rules=self.rules,
                request_id=REQUEST,
                started_at=start,
                ended_at=end,
                note="Looked into it with the customer",
            )

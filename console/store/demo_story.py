"""What the demo desk holds, planned as steps for `console.store.demo.seed` to run: the open
requests in every timer state, an overnight, the emergencies, who is at their desk, and the
past weeks of requests. Each `plan_*` adds its steps to a `Planner`; nothing is written here.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from console.store import commands as c
from console.store.demo_plan import (
    AGENTS,
    DESK_LEAD,
    DISPATCHERS,
    EMERGENCIES,
    ESCALATION,
    REQUEST,
    ROTA,
    TECH_LEAD,
    Planner,
    Ticket,
    business_before,
    desk_time,
    last_close,
)


def plan_open(p: Planner) -> None:
    """About 40 open requests whose timers at `p.now` show every state.

    Business-clock requests are placed by the open desk time they have used up, so at a
    `now` in desk hours they are fresh, in warning or breached, and at a `now` after
    hours the same ones show as paused (or still breached).
    """
    rng, cal, now = p.rng, p.cal, p.now
    warning = p.rules.sla.rules.warning_fraction

    def before(used: int) -> datetime:
        return business_before(cal, now, timedelta(minutes=used))

    def assign(ticket: Ticket, to: str) -> None:
        ticket.then(
            ticket.last + timedelta(minutes=rng.randint(2, 12)),
            c.assign,
            rng.choice(DISPATCHERS),
            request_id=REQUEST,
            to=to,
        )

    for state, count in (("ok", 9), ("warning", 5), ("breached", 6)):
        for _ in range(count):
            channel = rng.choice(["voicemail", "email", "email", "portal"])
            target = p.target(channel)
            edge = int(target * (1 - warning))
            used = {
                "ok": _between(rng, 5, edge - 10),
                "warning": _between(rng, edge + 2, target - 3),
                "breached": target + rng.randint(10, 600),
            }[state]
            ticket = p.log(before(used), channel, p.topic()[1])
            if rng.random() < 0.5:
                assign(ticket, rng.choice(AGENTS))
            ticket.commit()
    for _ in range(5):  # calls answered live, still being worked: no timer
        agent = rng.choice(AGENTS)
        ticket = p.log(before(rng.randint(5, 300)), "call", p.topic()[1])
        assign(ticket, agent)
        p.work(ticket, ticket.last, rng.randint(5, 20), agent, False)
        ticket.commit()
    kinds = ["additional-services"] * 2 + ["product"] * 3 + ["other"] * 2 + [None] * 3
    for index, kind in enumerate(kinds):  # answered in time, some escalated
        channel = rng.choice(["voicemail", "email", "portal"])
        used = rng.randint(60, 900)
        received = before(used)
        ticket = p.log(received, channel, p.topic(kind)[1])
        agent = rng.choice(AGENTS)
        assign(ticket, agent)
        answer = _between(rng, 5, min(p.target(channel) - 10, used - 5))
        ticket.then(
            cal.add_business_time(received, timedelta(minutes=answer)),
            c.respond,
            agent,
            request_id=REQUEST,
        )
        p.work(ticket, ticket.last + timedelta(minutes=2), rng.randint(10, 40), agent, False)
        if kind is None:
            ticket.commit()
            continue
        to = "gpatel" if index == 6 else None
        opened = p.escalate(
            ticket, ticket.last + timedelta(minutes=rng.randint(5, 40)), kind, agent, to
        )
        if index in (2, 3):
            ticket.then(
                opened + timedelta(minutes=10),
                c.set_technical_priority,
                TECH_LEAD,
                escalation_id=ESCALATION,
                priority=index - 1,
            )
        if index == 6:
            ticket.then(
                opened + timedelta(minutes=15),
                c.reassign_escalation,
                DESK_LEAD,
                escalation_id=ESCALATION,
                to="mrossi",
                reason="Grace is out until Thursday; Marco takes it",
            )
        ticket.commit()
    plan_overnight(p)
    plan_emergencies(p)


def plan_overnight(p: Planner) -> None:
    """Six requests from the last closed stretch (paused while it lasts): one still waits
    for its billing notice, one was notified and worked, the rest declined."""
    rng, cal, now = p.rng, p.cal, p.now
    closed = last_close(cal, now)
    window = now - closed
    if cal.is_open(now):
        window = min(cal.next_opening(closed) - closed, timedelta(hours=5))
    for index in range(6):
        received = (closed + window * rng.uniform(0.05, 0.9)).replace(microsecond=0)
        ticket = p.log(received, rng.choice(["voicemail", "email", "portal"]), p.topic()[1])
        agent = rng.choice(ROTA)
        if index == 1:
            noticed = ticket.then(
                ticket.last + timedelta(minutes=5),
                c.record_billing_notice,
                agent,
                request_id=REQUEST,
                method="phone",
            )
            p.work(ticket, noticed + timedelta(minutes=5), 30, agent, True)
        elif index > 1:
            ticket.then(
                ticket.last + timedelta(minutes=3), c.record_decline, agent, request_id=REQUEST
            )
        ticket.commit()


def plan_emergencies(p: Planner) -> None:
    """One emergency from a designated contact (timer ok) and one from a contact who is not
    designated (unverified, timer in warning), on the wall clock."""
    target = p.target("voicemail", emergency=True)
    both = [(t, cs) for t, cs in p.customers if {d for _, d in cs} == {True, False}]
    first, second = p.rng.sample(both, 2)
    cases = [
        (first, True, 0.35, "voicemail", EMERGENCIES[1]),
        (second, False, 0.8, "email", EMERGENCIES[2]),
    ]
    for (town, contacts), designated, share, channel, summary in cases:
        contact = next(i for i, d in contacts if d is designated)
        received = p.now - timedelta(minutes=round(target * share))
        p.log(received, channel, summary, contact=contact, town=town, emergency=True).commit()


def plan_presence(p: Planner) -> None:
    """Everyone on duty at `now` says where they are: one away, some on a call."""
    on_duty = sorted({h for h, start, end in p.duty if start <= p.now < end})
    for index, handle in enumerate(p.rng.sample(on_duty, len(on_duty))):
        state = (
            "away" if index == 0 and len(on_duty) >= 3 else ("on-a-call", "available")[index % 2]
        )
        at = p.now - timedelta(minutes=p.rng.randint(1, 50))
        p.add(at, partial(_presence, handle=handle, state=state))


def _presence(session: Session, at: datetime, *, handle: str, state: str) -> object:
    return c.set_presence(session, handle, at, staff=handle, state=state)


def _between(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, max(low, high))


def _open_seconds(spans: tuple[tuple[datetime, datetime], ...]) -> int:
    return sum(int((hi - lo).total_seconds()) for lo, hi in spans)


def _open_instant(spans: tuple[tuple[datetime, datetime], ...], seconds: int) -> datetime:
    """The instant `seconds` of open time into the day's `spans` (past a lunch break)."""
    for lo, hi in spans:
        if seconds < (hi - lo).total_seconds():
            break
        seconds -= int((hi - lo).total_seconds())
    return lo + timedelta(seconds=seconds)


def plan_history(p: Planner) -> None:
    """Plan a few hundred past requests, resolved, in desk hours and the odd one after."""
    rng = p.rng
    cutoff = p.now - timedelta(hours=2)
    for offset in range(-p.history_days, 1):
        day = p.today + timedelta(offset)
        spans = p.cal.openings(day)
        for _ in range(rng.randint(14, 22) if spans else 0):
            received = _open_instant(spans, rng.randint(0, _open_seconds(spans) - 60))
            if received < cutoff:
                plan_past(p, received, after_hours=False)
        if rng.random() < 0.6:
            if not spans:
                received = desk_time(p.cal, day, rng.randint(9, 16), rng.randint(0, 59))
            else:
                received = spans[-1][1] + timedelta(minutes=rng.randint(15, 200))
            if received < cutoff:
                plan_past(p, received, after_hours=True)


def plan_past(p: Planner, received: datetime, after_hours: bool) -> None:
    rng = p.rng
    kind, summary = p.topic()
    town, contacts = rng.choice(p.customers)
    contact, designated = rng.choice(contacts) if contacts else (None, False)
    emergency = designated and rng.random() < 0.04
    weights = (0, 50, 35, 15) if after_hours or emergency else (35, 20, 30, 15)
    channel = rng.choices(["call", "voicemail", "email", "portal"], weights=weights)[0]
    ticket = p.log(
        received,
        channel,
        EMERGENCIES[0] if emergency else summary,
        contact=contact,
        town=town,
        emergency=emergency,
    )
    agent = rng.choice(AGENTS)
    if after_hours and not emergency:
        if rng.random() < 0.4:
            noticed = ticket.then(
                ticket.last + timedelta(minutes=5),
                c.record_billing_notice,
                agent,
                request_id=REQUEST,
                method=rng.choice(["phone", "email"]),
            )
            p.work(ticket, noticed + timedelta(minutes=10), rng.randint(30, 90), agent, True)
        else:
            ticket.then(
                ticket.last + timedelta(minutes=3), c.record_decline, agent, request_id=REQUEST
            )
    if rng.random() < 0.6:
        ticket.then(
            ticket.last + timedelta(minutes=rng.randint(2, 20)),
            c.assign,
            rng.choice(DISPATCHERS),
            request_id=REQUEST,
            to=agent,
        )
    if emergency:
        answered = received + timedelta(minutes=rng.randint(5, 45))
        ticket.then(answered, c.respond, agent, request_id=REQUEST)
    elif channel != "call":  # a call answered live was responded to at once
        delay = rng.randint(250, 700) if rng.random() < 0.15 else rng.randint(5, 200)
        answered = p.cal.add_business_time(received, timedelta(minutes=delay))
        ticket.then(answered, c.respond, agent, request_id=REQUEST)
    if rng.random() < 0.45:
        p.work(ticket, ticket.last, rng.randint(10, 90), agent, emergency)
    if not emergency and rng.random() < 0.12:
        opened = p.escalate(
            ticket, ticket.last + timedelta(minutes=rng.randint(5, 90)), kind, agent
        )
        if kind == "product" and rng.random() < 0.5:
            ticket.then(
                opened + timedelta(minutes=30),
                c.set_technical_priority,
                TECH_LEAD,
                escalation_id=ESCALATION,
                priority=rng.randint(1, 20),
            )
    done = p.cal.add_business_time(ticket.last, timedelta(minutes=rng.randint(20, 1440)))
    if done <= p.now - timedelta(minutes=5):
        ticket.then(done, c.resolve, agent, request_id=REQUEST)
        ticket.commit()  # a request whose story would reach past now is left out

"""The demo seed: a realistic desk, every timer state at `now`, one on-call gap, every
escalation destination, one request waiting for its billing notice, all through the
write path (each row has its event), deterministic per seed, and never over real data."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.domain.coverage import Shift as CoverShift
from console.domain.coverage import ShiftKind, on_call_gaps
from console.domain.sla import TimerState
from console.store import demo
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.models import (
    AgentPresence,
    Contact,
    Customer,
    Escalation,
    Event,
    Request,
    Shift,
    Staff,
)
from tests.conftest import NOW

#: Wednesday 2 December 2026, 20:30 in Chicago: the desk closed at 19:00.
EVENING = datetime(2026, 12, 3, 2, 30, tzinfo=UTC)


def open_states(database: Database, rules: Rules, at: datetime) -> Counter[TimerState]:
    with database.session() as session:
        rows = session.scalars(select(Request).where(Request.status == "open")).all()
        return Counter(rules.sla.timer(row, at).state for row in rows)


def gaps(database: Database, rules: Rules, at: datetime) -> list:
    with database.session() as session:
        rows = session.execute(select(Shift, Staff.handle).join(Staff)).all()
    shifts = [CoverShift(h, s.starts_at, s.ends_at, ShiftKind(s.kind)) for s, h in rows]
    return list(on_call_gaps(rules.calendar, shifts, at))


def key_columns(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """What makes the demo the demo: requests, escalations, shifts, people, presence."""
    queries = {
        "requests": select(
            Request.customer_id, Request.contact_id, Request.channel, Request.summary,
            Request.received_at, Request.due_at, Request.first_response_at,
            Request.resolved_at, Request.status, Request.billing_state, Request.assignee_id,
        ).order_by(Request.id),
        "escalations": select(
            Escalation.request_id, Escalation.destination, Escalation.assignee_id,
            Escalation.technical_priority, Escalation.status,
        ).order_by(Escalation.id),
        "shifts": select(Shift.staff_id, Shift.kind, Shift.starts_at, Shift.ends_at).order_by(
            Shift.id
        ),
        "contacts": select(Contact.name, Contact.phone, Contact.email).order_by(Contact.id),
        "customers": select(Customer.municipality, Customer.next_check_in).order_by(Customer.id),
        "presence": select(AgentPresence.staff_id, AgentPresence.state),
    }  # fmt: skip
    with database.session() as session:
        return {name: [tuple(r) for r in session.execute(q)] for name, q in queries.items()}


def test_the_seed_is_a_realistic_monday(database: Database, rules: Rules) -> None:
    summary = demo.seed(database, NOW, seed=7, rules=rules)
    assert summary.staff == 12 and summary.customers == 30
    assert 200 <= summary.requests <= 400
    assert 35 <= summary.open_requests <= 50
    assert 60 <= summary.contacts <= 120
    states = open_states(database, rules, NOW)
    # In desk hours: fresh, in warning, breached, answered (met) and live calls (no timer).
    assert {TimerState.OK, TimerState.WARNING, TimerState.BREACHED} <= set(states)
    assert {TimerState.MET, TimerState.NONE} <= set(states)
    found = gaps(database, rules, NOW)
    assert len(found) == 1
    assert NOW < found[0].start < NOW + timedelta(days=7)
    assert found[0].length >= timedelta(hours=4)
    with database.session() as session:
        count = lambda model, *where: session.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(*where)
        )
        open_escalations = session.scalars(
            select(Escalation).where(Escalation.status == "open")
        ).all()
        destinations = Counter(e.destination for e in open_escalations)
        assert set(destinations) == {"customer-care", "technical", "person"}
        assert any(e.technical_priority for e in open_escalations)
        assert all(e.assignee_id for e in open_escalations if e.destination == "person")
        assert (
            count(Request, Request.status == "open", Request.billing_state == "needs-notice") == 1
        )
        emergencies = session.scalars(
            select(Request).where(Request.status == "open", Request.emergency)
        ).all()
        assert sorted(r.emergency_unverified for r in emergencies) == [False, True]
        # Requests from last night, whose business clock started at this morning's opening.
        overnight = [
            r
            for r in session.scalars(select(Request).where(Request.status == "open"))
            if not r.emergency and not rules.calendar.is_open(r.received_at)
        ]
        assert len(overnight) >= 5
        assert count(Request, Request.status == "resolved") >= 150
        breached_history = [
            r
            for r in session.scalars(select(Request).where(Request.status == "resolved"))
            if rules.sla.timer(r, NOW).state is TimerState.BREACHED
        ]
        assert breached_history
        presence = Counter(session.scalars(select(AgentPresence.state)))
        assert presence["away"] == 1 and presence["available"] and presence["on-a-call"]
        # Everything came through the write path: each row has its event.
        written = [
            (Request, "request"),
            (Escalation, "escalation"),
            (Shift, "shift"),
            (Staff, "staff"),
            (Customer, "customer"),
            (Contact, "contact"),
        ]
        for model, entity in written:
            logged = select(func.count(func.distinct(Event.entity_id))).where(
                Event.entity == entity
            )
            assert session.scalar(logged) == count(model), entity
        newest = session.scalar(select(func.max(Event.at)))
        assert newest <= NOW
    with pytest.raises(demo.NotEmpty, match="already has staff"):
        demo.seed(database, NOW, seed=7, rules=rules)


def test_the_seed_refuses_a_database_with_staff(desk: Database, rules: Rules, fingerprint_of):
    before = fingerprint_of(desk)
    with pytest.raises(demo.NotEmpty, match="the demo seeds only an empty database"):
        demo.seed(desk, NOW, rules=rules)
    with pytest.raises(demo.NotDemo, match="never empties real data"):
        demo.seed(desk, NOW, rules=rules, force=True)
    assert fingerprint_of(desk) == before


def test_a_forced_seed_replaces_the_demo_desk_never_adds_a_second(
    sqlite_template: Path, tmp_path: Path, rules: Rules
) -> None:
    database = _fresh(sqlite_template, tmp_path, "again")
    try:
        first = demo.seed(database, NOW, seed=3, rules=rules, history_days=1)
        with pytest.raises(demo.NotEmpty, match="--force"):
            demo.seed(database, NOW, seed=3, rules=rules, history_days=1)
        again = demo.seed(database, NOW, seed=3, rules=rules, history_days=1, force=True)
        assert again == first
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Staff)) == first.staff
    finally:
        database.dispose()


def _fresh(sqlite_template: Path, tmp_path: Path, name: str) -> Database:
    path = tmp_path / f"{name}.sqlite3"
    shutil.copy(sqlite_template, path)
    return open_database(f"sqlite:///{path}")


def test_the_same_seed_gives_the_same_desk(sqlite_template: Path, tmp_path: Path, rules: Rules):
    desks = [_fresh(sqlite_template, tmp_path, name) for name in ("a", "b", "c")]
    try:
        for database, number in zip(desks, (3, 3, 4), strict=True):
            demo.seed(database, NOW, seed=number, rules=rules, history_days=1)
        first, second, other = (key_columns(d) for d in desks)
        assert first == second
        assert first["requests"] != other["requests"]
    finally:
        for database in desks:
            database.dispose()


def test_after_hours_the_same_plan_shows_paused_clocks(
    sqlite_template: Path, tmp_path: Path, rules: Rules
) -> None:
    database = _fresh(sqlite_template, tmp_path, "evening")
    try:
        demo.seed(database, EVENING, seed=1, rules=rules, history_days=1)
        states = open_states(database, rules, EVENING)
        assert {TimerState.PAUSED, TimerState.BREACHED} <= set(states)
        # Emergencies run on the wall clock even now, and go to whoever is on call.
        assert {TimerState.OK, TimerState.WARNING} <= set(states)
        with database.session() as session:
            emergencies = session.scalars(
                select(Request).where(Request.emergency, Request.status == "open")
            ).all()
            assert emergencies and all(r.assignee_id for r in emergencies)
        found = gaps(database, rules, EVENING)
        assert len(found) == 1 and EVENING < found[0].start < EVENING + timedelta(days=7)
    finally:
        database.dispose()

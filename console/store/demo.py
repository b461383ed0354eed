"""A demo desk that looks like a real Monday, written through the one write path.

`seed(database, now, seed=N)` adds 12 staff, about 30 municipalities with contacts, two
weeks of duty shifts and an on-call rota with one deliberate gap, a few hundred past
requests and about 40 open ones in every timer state at `now`. Every row comes from a
`console.store.commands` call, so every row has its audit event, and the past is
written in time order with each action's own time. The same `seed` and `now` always
give the same data. A database that already has staff is refused; `force=True` first
empties a database that holds the demo desk (`reset`), so a second seed never adds a
second copy, and a database with anyone else's staff is never touched.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from console.store import commands as c
from console.store.commands import Rules
from console.store.db import Database
from console.store.demo_desk import NotDemo, NotEmpty, is_demo, is_empty, reset
from console.store.demo_plan import (
    DESK_LEAD,
    Planner,
)
from console.store.demo_story import plan_history, plan_open, plan_presence
from console.store.models import Base, Escalation, Request, Shift, Staff
from console.store.models_paging import StaffContact

#: Where the demo's staff are paged (a reserved domain: nothing can leave for it).
DEMO_MAIL_DOMAIN = "demo.switchboard.test"

__all__ = [
    "DEMO_MAIL_DOMAIN",
    "DESK_LEAD",
    "NotDemo",
    "NotEmpty",
    "SeedSummary",
    "is_demo",
    "is_empty",
    "reset",
    "seed",
]


@dataclass(frozen=True)
class SeedSummary:
    """What `seed` wrote; `line()` is the one line the CLI prints."""

    staff: int
    customers: int
    contacts: int
    shifts: int
    requests: int
    open_requests: int
    escalations: int

    def line(self) -> str:
        return (
            f"seeded {self.staff} staff, {self.customers} customers, {self.contacts} contacts, "
            f"{self.shifts} shifts, {self.requests} requests ({self.open_requests} open, "
            f"{self.escalations} escalations)"
        )


def seed(
    database: Database,
    now: datetime,
    seed: int = 1,
    *,
    force: bool = False,
    rules: Rules | None = None,
    history_days: int = 21,
) -> SeedSummary:
    """Write the demo desk as of `now` (aware). Deterministic for a given `seed` and `now`.

    Raises `NotEmpty` (a `StoreError`) when the database already has staff, unless
    `force` and it holds the demo desk: then it is emptied first (`reset`), so the result
    is one demo desk, never two. `history_days` is how far back past requests go.
    """
    if force:
        reset(database)
    elif not is_empty(database):
        hint = (
            ": `switchboard demo seed --force` (or `demo --reset`) replaces the demo desk"
            if is_demo(database)
            else ": the demo seeds only an empty database"
        )
        raise NotEmpty(f"{database.url} already has staff{hint}")
    if rules is None:
        with database.reading() as session:
            rules = Rules.read(session)
    planner = Planner(rules, now.astimezone(UTC), random.Random(seed), history_days)
    with _bulk_session(database) as session:
        planner.setup(session)
        _reach_staff(session, planner.setup_at)
        plan_history(planner)
        plan_open(planner)
        plan_presence(planner)
        for step in planner.steps():
            step.run(session)
    with database.session() as session:

        def count(model: type[Base], *where: ColumnElement[bool]) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return SeedSummary(
            staff=count(Staff),
            customers=planner.customers_added,
            contacts=planner.contacts_added,
            shifts=count(Shift),
            requests=count(Request),
            open_requests=count(Request, Request.status == "open"),
            escalations=count(Escalation),
        )


def _reach_staff(session: Session, at: datetime) -> None:
    """Everyone is paged by e-mail at the demo's mail domain (the demo's pager files it)."""
    reached = set(session.scalars(select(StaffContact.staff_id)))
    for staff_id, handle in session.execute(select(Staff.id, Staff.handle)).all():
        if staff_id not in reached:
            email = f"{handle}@{DEMO_MAIL_DOMAIN}"
            c.set_staff_contact(session, DESK_LEAD, at, handle=handle, email=email, notify=[])


@contextmanager
def _bulk_session(database: Database) -> Iterator[Session]:
    """One connection for the whole seed. On Postgres its commits do not wait for the disk
    (`synchronous_commit = off`): each is still atomic, and a crash loses demo data only."""
    with database.engine.connect() as connection:
        postgres = database.dialect == "postgresql"
        if postgres:
            connection.exec_driver_sql("SET synchronous_commit TO off")
            connection.commit()
        try:
            with Session(bind=connection) as session:
                yield session
        finally:
            if postgres:
                connection.rollback()
                connection.exec_driver_sql("RESET synchronous_commit")
                connection.commit()

"""Whether a database holds the demo desk, and emptying one that does (`reset`).

The demo never mixes with real data: it seeds only an empty database, and empties only
one whose staff includes the demo's desk lead.
"""

from __future__ import annotations

from sqlalchemy import func, select

from console.store import schema
from console.store.db import Database
from console.store.demo_plan import DESK_LEAD
from console.store.errors import InvalidState
from console.store.models import Staff


class NotEmpty(InvalidState):
    """The database already has a desk; the demo does not mix with real data."""


class NotDemo(InvalidState):
    """The database holds a desk that is not the demo: it is never emptied."""


def is_empty(database: Database) -> bool:
    """True when the database has no staff at all (a fresh desk)."""
    with database.session() as session:
        return not session.scalar(select(func.count()).select_from(Staff))


def is_demo(database: Database) -> bool:
    """True when the demo's desk lead is on the staff: the database holds a demo desk."""
    with database.session() as session:
        return session.scalar(select(Staff.id).where(Staff.handle == DESK_LEAD)) is not None


def reset(database: Database) -> None:
    """Empty a database that holds the demo desk (or nothing): every table is dropped and
    the schema rebuilt at its newest revision. Raises `NotDemo` for any other desk."""
    if not is_empty(database) and not is_demo(database):
        raise NotDemo(
            f"{database.url} holds a desk that is not the demo (no {DESK_LEAD}): "
            "the demo never empties real data"
        )
    schema.downgrade(database.engine, "base")
    schema.upgrade(database.engine)

"""What every report shares: a snapshot that never blocks a writer, and periods."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from console.domain.calendar import DeskCalendar
from console.domain.localtime import local_at
from console.store.db import Database
from console.store.errors import InvalidInput

#: The longest period one report covers (run one report per year for more).
LONGEST_PERIOD_DAYS = 366
#: How far ahead a coverage report may look.
LONGEST_COVERAGE_DAYS = 60
ZERO = timedelta(0)


# -- reading without getting in a writer's way -------------------------------------------


@contextmanager
def snapshot(database: Database) -> Iterator[Session]:
    """A read-only session over one consistent snapshot that never locks out writers."""
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            reader = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with Session(bind=reader) as session:
                yield session
            reader.rollback()
        return
    engine = create_engine(database.engine.url, poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _plain_reads(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we send a deferred BEGIN ourselves
        dbapi_connection.execute("PRAGMA busy_timeout = 10000")

    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("BEGIN")  # deferred: a read snapshot, no write lock
            with Session(bind=connection) as session:
                yield session
            connection.rollback()
    finally:
        engine.dispose()


# -- periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Desk-local dates `first` to `last` (both included) as the UTC instants [start, end)."""

    first: date
    last: date
    start: datetime
    end: datetime


def period(calendar: DeskCalendar, first: date, last: date) -> Period:
    """The period from `first` to `last`, or `InvalidInput` when it is backwards or too long."""
    if first > last:
        raise InvalidInput(f"the period starts ({first}) after it ends ({last})")
    if (last - first).days + 1 > LONGEST_PERIOD_DAYS:
        raise InvalidInput(
            f"the period {first} to {last} is longer than {LONGEST_PERIOD_DAYS} days: "
            "run one report per year"
        )
    if last >= date.max - timedelta(days=1):
        raise InvalidInput(f"{last} is too far in the future")
    start = local_at(first, time(0), calendar.zone)
    end = local_at(last + timedelta(days=1), time(0), calendar.zone)
    return Period(first, last, start, end)


def minutes(span: timedelta) -> Decimal:
    """A duration in minutes, to the hundredth."""
    return (Decimal(round(span.total_seconds())) / 60).quantize(Decimal("0.01"))

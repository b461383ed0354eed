"""`switchboard doctor`'s checks: why a console might look stale, in plain words."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from sqlalchemy import text

from console.store import schema
from console.store.db import Database
from console.store.errors import SchemaMismatch

#: Clocks further apart than this make countdowns visibly wrong.
SKEW_LIMIT = timedelta(seconds=2)
#: A NOTIFY slower than this means consoles lag behind the desk.
NOTIFY_SLOW_MS = 100.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(database: Database, now: datetime) -> list[Check]:
    """Connection, schema revision, NOTIFY round trip and clock skew, in that order.

    Later checks are skipped when the connection fails. `now` is this machine's clock.
    """
    checks: list[Check] = []
    try:
        with database.engine.connect() as connection:
            version = connection.execute(
                text(
                    "SELECT version()"
                    if database.dialect == "postgresql"
                    else "SELECT sqlite_version()"
                )
            ).scalar_one()
        checks.append(
            Check("connection", True, f"{database.url} ({str(version).split(' on ')[0]})")
        )
    except Exception as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        return [Check("connection", False, f"{database.url}: {detail}")]
    try:
        schema.check(database)
        checks.append(Check("schema", True, f"at revision {schema.head_revision()}"))
    except SchemaMismatch as exc:
        checks.append(Check("schema", False, str(exc)))
    if database.dialect != "postgresql":
        checks.append(Check("notify", True, "not used: SQLite consoles poll"))
        checks.append(Check("clock", True, "not needed: the database is on this machine"))
        return checks
    checks.append(_notify_round_trip(database))
    checks.append(_clock_skew(database, now))
    return checks


def _notify_round_trip(database: Database) -> Check:
    channel = f"switchboard_doctor_{uuid.uuid4().hex[:8]}"
    conninfo = database.engine.url.set(drivername="postgresql").render_as_string(
        hide_password=False
    )
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as listener:
            listener.execute(f"LISTEN {channel}")
            started = time.perf_counter()
            with database.engine.begin() as connection:
                connection.execute(text("SELECT pg_notify(:c, 'ping')"), {"c": channel})
            got = next(iter(listener.notifies(timeout=5, stop_after=1)), None)
            elapsed = (time.perf_counter() - started) * 1000
    except psycopg.Error as exc:
        return Check("notify", False, f"LISTEN/NOTIFY failed: {str(exc).strip().splitlines()[0]}")
    if got is None:
        return Check("notify", False, "no notification within 5 s: consoles fall back to polling")
    verdict = "fine" if elapsed < NOTIFY_SLOW_MS else "slow: consoles lag behind"
    return Check("notify", elapsed < NOTIFY_SLOW_MS, f"round trip {elapsed:.1f} ms ({verdict})")


def _clock_skew(database: Database, now: datetime) -> Check:
    started = time.perf_counter()
    with database.engine.connect() as connection:
        server = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
    # Compare against the middle of the round trip.
    local = now + timedelta(seconds=(time.perf_counter() - started) / 2)
    skew = server - local
    seconds = skew.total_seconds()
    ok = abs(skew) <= SKEW_LIMIT
    verdict = "fine" if ok else "timers on this console are off by that much: fix the clocks (NTP)"
    return Check("clock", ok, f"database clock is {seconds:+.3f} s from this machine ({verdict})")

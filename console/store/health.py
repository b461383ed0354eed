"""`switchboard doctor`'s checks: why a console might look stale, or the database's
guarantees weak (a login with more rights than its group, an audit trigger gone), in
plain words."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from sqlalchemy import Connection, text

from console.store import audited, grants, schema
from console.store.commands.quarantine import held_count
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
    """Connection, schema revision, NOTIFY round trip, clock skew, desk logins and audit
    triggers, in that order.

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
        checks.append(quarantine_check(database))
    except SchemaMismatch as exc:
        checks.append(Check("schema", False, str(exc)))
    if database.dialect != "postgresql":
        checks.append(Check("notify", True, "not used: SQLite consoles poll"))
        checks.append(Check("clock", True, "not needed: the database is on this machine"))
        checks.append(Check("logins", True, "not used: SQLite has no logins"))
        checks.append(Check("triggers", True, "not used: SQLite trusts its one laptop"))
        return checks
    checks.append(_notify_round_trip(database))
    checks.append(_clock_skew(database, now))
    with database.engine.connect() as connection:
        checks.append(logins_check(connection))
        checks.append(triggers_check(connection))
    return checks


def quarantine_check(database: Database) -> Check:
    """Mail intake could not file some messages: they wait, whole, for `intake retry`."""
    with database.reading() as session:
        held = held_count(session)
    if held:
        return Check(
            "quarantine",
            False,
            f"{held} message{'s' if held > 1 else ''} held: see switchboard intake held, "
            "then intake retry ID",
        )
    return Check("quarantine", True, "no mail held")


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


#: Role attributes no desk login needs; each lets it step around the audit.
_ATTRIBUTES = {
    "rolsuper": "superuser",
    "rolcreaterole": "createrole",
    "rolbypassrls": "bypassrls",
    "rolcreatedb": "createdb",
    "rolreplication": "replication",
}
_LOGINS = text(
    """
    SELECT r.oid, r.rolname, r.rolsuper, r.rolcreaterole, r.rolbypassrls, r.rolcreatedb,
           r.rolreplication,
           (SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
             WHERE m.member = r.oid AND g.rolname = ANY(:groups)) AS groups,
           (SELECT string_agg(DISTINCT c.relname, ', ') FROM pg_class c
             LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
             WHERE c.relnamespace = 'public'::regnamespace
               AND (r.oid IN (SELECT (aclexplode(c.relacl)).grantee)
                    OR r.oid IN (SELECT (aclexplode(a.attacl)).grantee))) AS direct
      FROM pg_roles r
     WHERE r.rolcanlogin  -- roles are cluster-wide: only this database's desk logins
       AND (r.rolname IN (SELECT login FROM db_logins)
            OR r.rolname IN (SELECT handle FROM staff))
     ORDER BY r.rolname
    """
)


def logins_check(connection: Connection) -> Check:
    """Every desk login (bound in `db_logins`, or named like a staff handle) has exactly
    its one group's rights: no direct grants, no risky attributes, one group."""
    groups = [*grants.GROUPS.values(), grants.SERVICE_GROUP]
    rows = connection.execute(_LOGINS, {"groups": groups}).all()
    problems = []
    for row in rows:
        found = [label for column, label in _ATTRIBUTES.items() if getattr(row, column)]
        if row.groups != 1:
            found.append(f"member of {row.groups} groups")
        if row.direct:
            found.append(f"direct grants on {row.direct}")
        if found:
            problems.append(f"{row.rolname} ({', '.join(found)})")
    if problems:
        return Check("logins", False, "more rights than its group: " + "; ".join(problems))
    return Check("logins", True, f"{len(rows)} desk logins, each with its one group's rights only")


def triggers_check(connection: Connection) -> Check:
    """The triggers that make the audit hold: on `events`, and on every audited table."""
    rows = connection.execute(
        text(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'"
            " AND c.relnamespace = 'public'::regnamespace"
        )
    ).all()
    enabled = {(row.relname, row.tgname) for row in rows}
    tables = set(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
    )
    wanted = [("events", name) for name in audited.EVENT_TRIGGERS] + [
        (table, audited.AUDIT_TRIGGER) for table in audited.AUDITED if table in tables
    ]
    missing = [f"{table}.{name}" for table, name in wanted if (table, name) not in enabled]
    if missing:
        return Check(
            "triggers",
            False,
            "missing or disabled: " + ", ".join(missing) + " (changes go unaudited)",
        )
    return Check("triggers", True, f"all {len(wanted)} audit triggers in place and enabled")

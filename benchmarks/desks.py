"""What the benchmarks share: a throw-away database, and a small desk to work on.

- `TemporaryPostgres`: databases with random names on the Postgres server (127.0.0.1:5432,
  trust auth, or `SWITCHBOARD_TEST_POSTGRES`), each dropped with ``WITH (FORCE)`` by
  `drop` or `close`, even on Ctrl-C or SIGTERM (the drops are shielded from them); a copy of
  another one with ``template=``.
- `temporary_postgres()` / `temporary_sqlite()`: one migrated database as a context
  manager, yielding its URL.
- `small_desk()`: the desk most benchmarks start from, through the write path: a desk
  lead, agents, and one customer (Springfield), optionally with e-mailed requests.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from console.store import commands, schema
from console.store.commands import Rules
from console.store.db import Database, open_database

#: The Postgres server (SQLAlchemy URL without a database); nothing else is contacted.
SERVER = os.environ.get("SWITCHBOARD_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
#: Wednesday 2 December 2026, 10:00 in Chicago: the desk is open, nothing after-hours.
NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


def url_of(name: str, server: str = SERVER) -> str:
    """The SQLAlchemy URL of database `name` on `server`."""
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _connect(dbname: str, server: str) -> psycopg.Connection[Any]:
    url = make_url(server)
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname=dbname,
        autocommit=True,
        connect_timeout=5,
        application_name="switchboard_benchmark",
    )


@contextmanager
def shielded() -> Iterator[None]:
    """Ignore SIGINT and SIGTERM meanwhile (main thread only): clean-up must finish."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


class TemporaryPostgres:
    """Databases with random names `<prefix>_<hex>`, each dropped by `drop` or `close`.

    A name is recorded before its CREATE DATABASE is sent, so an interrupt at any point
    still leaves it in the list that `close` drops (``DROP ... IF EXISTS ... WITH (FORCE)``
    also ends any connection a killed child left behind).
    """

    def __init__(self, prefix: str = "switchboard_bench", server: str = SERVER) -> None:
        self.prefix = prefix
        self.server = server
        self.names: list[str] = []
        self._admin: psycopg.Connection[Any] | None = None

    def admin(self) -> psycopg.Connection[Any]:
        if self._admin is None or self._admin.closed:
            self._admin = _connect("postgres", self.server)
        return self._admin

    def url(self, name: str) -> str:
        return url_of(name, self.server)

    def connect(self, name: str) -> psycopg.Connection[Any]:
        """A psycopg connection (autocommit) to database `name`."""
        return _connect(name, self.server)

    def create(self, template: str | None = None, *, migrate: bool = False) -> str:
        """A new empty database (or a copy of `template`), migrated to head if `migrate`;
        returns its name."""
        name = f"{self.prefix}_{uuid.uuid4().hex[:12]}"
        self.names.append(name)
        statement = f'CREATE DATABASE "{name}"'
        if template is not None:
            statement += f' TEMPLATE "{template}"'
        for attempt in range(10):
            try:
                self.admin().execute(statement)
                break
            except psycopg.errors.ObjectInUse:  # an autovacuum worker in the template
                if attempt == 9:
                    raise
                time.sleep(0.5)
        if migrate:
            migrated(self.url(name))
        return name

    def drop(self, name: str) -> None:
        with shielded():
            self.admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if name in self.names:
                self.names.remove(name)

    def close(self) -> None:
        """Drop every database still here; never interrupted by Ctrl-C or SIGTERM."""
        with shielded():
            try:
                for name in list(self.names):
                    self.drop(name)
            finally:
                if self._admin is not None:
                    self._admin.close()
                    self._admin = None
        if self.names:
            print(f"could not drop {', '.join(self.names)}", file=sys.stderr)


def migrated(url: str) -> str:
    """Migrate the database at `url` to head; returns `url`."""
    database = open_database(url)
    try:
        schema.upgrade(database.engine)
    finally:
        database.dispose()
    return url


@contextmanager
def temporary_postgres(
    prefix: str = "switchboard_bench", *, migrate: bool = True, server: str = SERVER
) -> Iterator[str]:
    """One fresh database on `server` (migrated to head unless `migrate=False`), dropped
    afterwards; yields its URL."""
    pg = TemporaryPostgres(prefix, server)
    try:
        yield pg.url(pg.create(migrate=migrate))
    finally:
        pg.close()


@contextmanager
def temporary_sqlite(name: str = "desk.sqlite3", *, migrate: bool = True) -> Iterator[str]:
    """A SQLite file in a temporary folder (migrated unless `migrate=False`), removed
    afterwards; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="switchboard_bench_") as folder:
        url = f"sqlite:///{Path(folder) / name}"
        yield migrated(url) if migrate else url


def small_desk(
    database: Database,
    *,
    lead: str = "lead",
    agents: Iterable[str] = ("agent0",),
    liaison: str | None = None,
    requests: int = 0,
    now: datetime = NOW,
) -> None:
    """A desk lead, `agents` (desk agents), the customer Springfield (liaison: `liaison`,
    default the first agent) and `requests` open e-mailed requests logged by that agent,
    all through the write path, in one transaction, on an empty migrated database."""
    agents = list(agents)
    liaison = liaison or (agents[0] if agents else lead)
    rules = Rules.defaults()
    with database.session() as session:
        commands.add_staff(
            session, None, now, handle=lead, name=lead.title(), role="lead", department="desk"
        )
        for handle in agents:
            commands.add_staff(
                session, lead, now, handle=handle, name=handle, role="agent", department="desk"
            )
        commands.add_customer(session, lead, now, municipality="Springfield", liaison=liaison)
        for n in range(requests):
            commands.log_request(
                session,
                liaison,
                now,
                rules,
                channel="email",
                customer="Springfield",
                summary=f"Item {n}",
            )

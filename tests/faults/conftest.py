"""What the fault tests share: the `switchboard` command in a process of its own, and a
database outage on demand (for this test's Postgres database only: the server is shared)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from console.store.board import Board
from console.store.db import Database, open_database
from console.store.models import Event, Request
from console.ui.app import SwitchboardApp
from console.ui.widgets.escalations import EscalationPane
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW, PG_SERVER
from tests.ui.conftest import queue_desk, settings  # noqa: F401  (fixtures)

SWITCHBOARD = Path(sys.executable).with_name("switchboard")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def switchboard(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> Run:
    """`switchboard ARGS` as an agent runs it: its own process, no terminal."""
    done = subprocess.run(
        [str(SWITCHBOARD), *args],
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def assert_one_line_failure(run: Run, *expected: str) -> str:
    """A non-zero exit, nothing on stdout, and exactly one `switchboard: ...` line holding
    every `expected` text: no traceback, no SQL, no second line."""
    assert run.code != 0, run
    assert run.out == "", run
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    line = lines[0]
    assert line.startswith("switchboard: "), line
    for part in expected:
        assert part in line, line
    for leak in ("Traceback", "[SQL:", "sqlalche.me", "internal error"):
        assert leak not in line, line
    return line


class Outage:
    """Database `name` refusing connections until `restore()` (also called on exit)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.admin = open_database(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")

    def start(self) -> None:
        with self.admin.engine.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false'))
            terminate_backends(connection, self.name)

    def restore(self) -> None:
        with self.admin.engine.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))


@contextmanager
def postgres_down(url: str) -> Iterator[Outage]:
    """Like a server restart, for this one database: every backend of it is terminated and
    new connections are refused until `restore()` or the end of the block. Other
    databases on the shared server are untouched."""
    outage = Outage(make_url(url).database or "")
    try:
        outage.start()
        yield outage
    finally:
        outage.restore()
        outage.admin.dispose()


def terminate_backends(connection, name: str, where: str = "true") -> int:  # type: ignore[no-untyped-def]
    """Terminate the backends of database `name` (those matching `where`); how many."""
    return len(
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = :name AND pid <> pg_backend_pid() AND ({where})"
            ),
            {"name": name},
        ).all()
    )


def queue_rows(app: SwitchboardApp) -> dict:
    return dict(app.query_one(QueuePane).model.rows)


def escalation_rows(app: SwitchboardApp) -> dict:
    rows: dict = {}
    for pane in app.query(EscalationPane):
        rows.update(pane.rows)
    return rows


def matches_database(app: SwitchboardApp, database: Database) -> bool:
    """The console's queue and escalation panes hold exactly what a fresh read finds."""
    state = Board(database).load(NOW, app.calendar.local_date(NOW))
    return queue_rows(app) == state.requests and escalation_rows(app) == state.escalations


def count_events(database: Database, **where: object) -> int:
    with database.session() as session:
        query = select(func.count()).select_from(Event)
        for column, value in where.items():
            query = query.where(getattr(Event, column) == value)
        return session.scalar(query) or 0


def requests_with_summary(database: Database, summary: str) -> list[int]:
    with database.session() as session:
        return list(session.scalars(select(Request.id).where(Request.summary == summary)))

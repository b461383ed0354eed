"""Shared fixtures: a fresh migrated database on SQLite, and on Postgres when reachable.

Postgres tests get one database with a random name on 127.0.0.1 (user postgres) per
test session (so one per xdist worker), dropped afterwards, and emptied before each
test. When the server is unreachable they are skipped, unless
SWITCHBOARD_REQUIRE_POSTGRES=1, where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text

from console.store import commands, schema
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.models import Base

# No per-example deadline and no "too slow" health check: on a loaded machine an example
# can take seconds, which says nothing about the code (timing belongs in benchmarks/).
hypothesis_settings.register_profile(
    "switchboard", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("switchboard")

PG_SERVER = os.environ.get(
    "SWITCHBOARD_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432"
)


@pytest.fixture(scope="session", autouse=True)
def own_data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A user data directory of this test process's own (each xdist worker has its own):
    nothing reaches the developer's demo desk, and two workers never share an embedded
    SQLite file. Tests that need another one still set XDG_DATA_HOME themselves."""
    path = tmp_path_factory.mktemp("data-home")
    before = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(path)
    yield path
    if before is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = before


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long tests (marked `slow`) first, in their order: under xdist they start at
    once instead of last on a worker while the other one waits."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _require_postgres() -> bool:
    return os.environ.get("SWITCHBOARD_REQUIRE_POSTGRES") == "1"


def _admin() -> Database:
    # AUTOCOMMIT: CREATE/DROP DATABASE cannot run inside a transaction.
    return open_database(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated, throw-away Postgres database for this test session."""
    try:
        admin = _admin()
        with admin.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        reason = f"Postgres at {PG_SERVER} is unreachable ({type(exc).__name__})"
        if _require_postgres():
            pytest.fail(f"{reason} and SWITCHBOARD_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    name = f"switchboard_test_{uuid.uuid4().hex[:12]}"
    with admin.engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{PG_SERVER}/{name}"
    database = open_database(url)
    try:
        schema.upgrade(database.engine)
    finally:
        database.dispose()
    try:
        yield url
    finally:
        with admin.engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "switchboard.sqlite3"
    database = open_database(f"sqlite:///{path}")
    schema.upgrade(database.engine)
    database.dispose()
    return path


def _empty_postgres(database: Database) -> None:
    """Back to an empty schema at head, whatever the last test did to it."""
    if schema.current_revision(database.engine) != schema.head_revision():
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        schema.upgrade(database.engine)
        return
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database, once on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "switchboard.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    database = open_database(url)
    _empty_postgres(database)
    database.dispose()
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """An open `Database` on an empty, migrated schema (parametrised over both backends)."""
    database = open_database(database_url)
    yield database
    database.dispose()


def fingerprint(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to prove that a failed action changed nothing."""
    found: dict[str, list[tuple[object, ...]]] = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(table.select().order_by(*table.primary_key.columns))
            found[table.name] = [tuple(row) for row in rows]
    return found


@pytest.fixture
def fingerprint_of() -> object:
    """`fingerprint_of(database)`: all rows of all tables, to compare before and after."""
    return fingerprint


#: Wednesday 2 December 2026, 10:00 in Chicago: the desk is open.
NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


@pytest.fixture
def rules() -> Rules:
    return Rules.defaults()


@pytest.fixture
def desk(database: Database) -> Database:
    """`database` with a small desk: staff of every role, two customers, three contacts.

    Handles: lena (desk lead), dora (dispatcher), ari and abe (agents), tess (technical
    lead), cara (customer-care agent). Customers: Springfield (liaison ari) with Mayor
    Quimby (designated) and Clerk Smithers; Shelbyville (liaison abe) with Mayor Hooper.
    """
    with database.session() as session:
        commands.add_staff(
            session, None, NOW, handle="lena", name="Lena Lead", role="lead", department="desk"
        )
        for handle, role, department in [
            ("dora", "dispatcher", "desk"),
            ("ari", "agent", "desk"),
            ("abe", "agent", "desk"),
            ("tess", "lead", "technical"),
            ("cara", "agent", "customer-care"),
        ]:
            commands.add_staff(
                session,
                "lena",
                NOW,
                handle=handle,
                name=handle.title(),
                role=role,
                department=department,
            )
        commands.add_customer(session, "lena", NOW, municipality="Springfield", liaison="ari")
        commands.add_customer(session, "lena", NOW, municipality="Shelbyville", liaison="abe")
        commands.add_contact(
            session, "lena", NOW, customer="Springfield", name="Mayor Quimby", designated=True
        )
        commands.add_contact(session, "lena", NOW, customer="Springfield", name="Clerk Smithers")
        commands.add_contact(
            session, "lena", NOW, customer="Shelbyville", name="Mayor Hooper", designated=True
        )
    return database

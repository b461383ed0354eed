"""`db grant` run twice at the same moment: by two admins on one database, or on two desk
databases of one server (roles are cluster-wide). Both runs succeed and both databases end
with the groups, their privileges and the login.

Each test uses group and login names of its own (the real group names are shared by every
database of the server, so tests running in parallel would race on them too), and drops
them afterwards.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, text

from console.store import grants, schema
from console.store.db import open_database
from tests.conftest import PG_SERVER

pytestmark = pytest.mark.postgres

#: A bound on how long a blocked admin may take to show up as waiting (not a threshold:
#: the test passes as soon as it is seen waiting).
WAIT_SECONDS = 60.0


@pytest.fixture
def other_database(postgres_url: str) -> Iterator[str]:
    """A second migrated desk database on the same server, dropped afterwards."""
    name = f"switchboard_test_{uuid.uuid4().hex[:12]}"
    admin = open_database(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
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


class Roles:
    """This test's logins, and the databases where its roles were granted privileges."""

    def __init__(self, *urls: str) -> None:
        self.logins: list[str] = []
        self.urls = list(urls)

    def login(self) -> str:
        name = f"portal_{uuid.uuid4().hex[:8]}"
        self.logins.append(name)
        return name


@pytest.fixture
def own_roles(monkeypatch, postgres_url: str) -> Iterator[Roles]:
    """Group names of this test's own; they and its logins are dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    groups = {level: f"{name}_{suffix}" for level, name in grants.GROUPS.items()}
    service = f"{grants.SERVICE_GROUP}_{suffix}"
    monkeypatch.setattr(grants, "GROUPS", groups)
    monkeypatch.setattr(grants, "SERVICE_GROUP", service)
    roles = Roles(postgres_url)
    yield roles
    names = [*roles.logins, service, *reversed(list(groups.values()))]
    for url in roles.urls:
        database = open_database(url)
        with database.engine.begin() as connection:
            for name in names:
                if _exists(connection, name):
                    connection.execute(text(f'DROP OWNED BY "{name}"'))
            if url == roles.urls[-1]:
                for name in names:
                    connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
        database.dispose()


def _exists(connection: Connection, role: str) -> bool:
    found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": role})
    return found.first() is not None


def _wait_until_blocked(watch: Connection, pid: int) -> str:
    """Poll (bounded) until backend `pid` waits on a lock; returns the lock's kind."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        row = watch.execute(
            text("SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = :p"),
            {"p": pid},
        ).first()
        if row is not None and row.wait_event_type == "Lock":
            return str(row.wait_event)
        time.sleep(0.05)  # poll interval of a bounded wait, not a fixed delay
    pytest.fail(f"the second admin (pid {pid}) never waited on a lock")


def _race(first_url: str, second_url: str, login: str) -> tuple[str, list[BaseException]]:
    """Admin A grants the service login in the first database and holds its transaction
    open; admin B does the same in the second until it blocks on A; A commits; B goes on.
    Returns what B waited on, and B's errors."""
    first, second = open_database(first_url), open_database(second_url)
    watcher = open_database(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    errors: list[BaseException] = []
    started = threading.Event()
    pid: list[int] = []

    def admin_b() -> None:
        try:
            with second.engine.begin() as connection:
                pid.append(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
                started.set()
                grants.grant_service(connection, "portal", login)
        except BaseException as exc:  # reported to the test
            errors.append(exc)
            started.set()

    try:
        with first.engine.begin() as connection, watcher.engine.connect() as watch:
            grants.grant_service(connection, "portal", login)
            thread = threading.Thread(target=admin_b, daemon=True)
            thread.start()
            assert started.wait(WAIT_SECONDS)
            assert not errors, errors
            waited = _wait_until_blocked(watch, pid[0])
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive()
    finally:
        first.dispose()
        second.dispose()
        watcher.dispose()
    return waited, errors


def _granted(url: str, login: str) -> bool:
    database = open_database(url)
    try:
        with database.engine.connect() as connection:
            service, agent = grants.SERVICE_GROUP, grants.GROUPS["agent"]
            row = connection.execute(
                text(
                    "SELECT pg_has_role(:login, :service, 'MEMBER')"
                    " AND pg_has_role(:service, :agent, 'MEMBER')"
                    " AND pg_has_role(:lead, :agent, 'MEMBER')"
                    " AND has_table_privilege(:agent, 'requests', 'INSERT')"
                    " AND has_table_privilege(:lead, 'policy_versions', 'INSERT')"
                    " AND NOT has_table_privilege(:agent, 'policy_versions', 'INSERT')"
                    " AND (SELECT service FROM db_logins WHERE login = :login) = 'portal'"
                ),
                {"login": login, "service": service, "agent": agent, "lead": grants.GROUPS["lead"]},
            )
            return bool(row.scalar_one())
    finally:
        database.dispose()


def test_two_desks_on_one_server_grant_at_the_same_moment(
    postgres_url: str, other_database: str, own_roles: Roles
) -> None:
    own_roles.urls.insert(0, other_database)
    login = own_roles.login()
    waited, errors = _race(postgres_url, other_database, login)
    # B tried to create the very roles A had created but not yet committed.
    assert waited == "transactionid"
    assert not errors, errors
    assert _granted(postgres_url, login) and _granted(other_database, login)


def test_two_admins_of_one_desk_grant_one_after_the_other(
    postgres_url: str, own_roles: Roles
) -> None:
    login = own_roles.login()
    waited, errors = _race(postgres_url, postgres_url, login)
    assert waited == "advisory"  # B waited for A's whole grant, not half of it
    assert not errors, errors
    assert _granted(postgres_url, login)


def test_a_grant_still_fails_for_a_reason_other_than_a_race(
    postgres_url: str, own_roles: Roles
) -> None:
    """Only "it is already there" is tolerated: a login name Postgres refuses still fails."""
    database = open_database(postgres_url)
    try:
        with pytest.raises(Exception, match="reserved"), database.engine.begin() as connection:
            grants.grant_service(connection, "portal", "pg_not_allowed")
    finally:
        database.dispose()

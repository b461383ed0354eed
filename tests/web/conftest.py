"""The portal under test: a small desk with portal accounts, a frozen clock, a cheap hasher.

Contacts with accounts (password `correct horse battery`):
- pat@springfield.gov, Pat Planner of Springfield (not designated);
- dana@springfield.gov, Dana Director of Springfield (designated for emergencies);
- sam@shelbyville.gov, Sam Shelby of Shelbyville (designated).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from console.clock import FrozenClock
from console.store import commands
from console.store.commands import portal as portal_commands
from console.store.db import Database
from console.web.app import PortalConfig, make_app
from console.web.security import Passwords
from tests.conftest import NOW

PASSWORD = "correct horse battery"
#: Saturday 5 December 2026, 11:00 in Chicago: the desk is closed (weekend).
WEEKEND = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
ACCOUNTS = {
    "pat": ("Springfield", "Pat Planner", "pat@springfield.gov", False),
    "dana": ("Springfield", "Dana Director", "dana@springfield.gov", True),
    "sam": ("Shelbyville", "Sam Shelby", "sam@shelbyville.gov", True),
}


def cheap_passwords() -> Passwords:
    # The same argon2id, at a cost a test suite can afford (the real one: RFC 9106 low-memory).
    return Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def passwords() -> Passwords:
    return cheap_passwords()


@pytest.fixture
def portal_desk(desk: Database, passwords: Passwords) -> Database:
    """The `desk` of tests/conftest.py with three portal accounts."""
    with desk.session() as session:
        for customer, name, email, designated in ACCOUNTS.values():
            commands.add_contact(
                session,
                "lena",
                NOW,
                customer=customer,
                name=name,
                email=email,
                designated=designated,
            )
            portal_commands.add_account(
                session, "lena", NOW, email=email, password_hash=passwords.hash(PASSWORD)
            )
    return desk


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def app_client(
    portal_desk: Database, clock: FrozenClock, passwords: Passwords
) -> Iterator[TestClient]:
    app = make_app(portal_desk, clock, PortalConfig(), passwords)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def sign_in(client: TestClient, who: str = "pat", password: str = PASSWORD) -> str:
    """Sign `who` in; returns the CSRF token of their session."""
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": ACCOUNTS[who][2], "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/requests").text)


def new_client(app_client: TestClient) -> TestClient:
    """A second browser on the same app (its own cookies)."""
    return TestClient(app_client.app, base_url="http://testserver", follow_redirects=False)


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:  # type: ignore[no-untyped-def]
    """The portal's logic runs on SQLite (its Postgres behaviour: test_postgres_service.py)."""
    import shutil

    path = tmp_path / "switchboard.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"

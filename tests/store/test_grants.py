"""Postgres itself refuses what a role may not do, whatever the application says."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from console.cli import main
from console.store import commands
from console.store.db import Database, open_database
from tests.conftest import NOW
from tests.store.test_technical_order import escalate, order


@pytest.fixture
def login_roles(database_url: str) -> Iterator[dict[str, str]]:
    """Unique login role names for a dispatcher and a lead; dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    names = {"dispatcher": f"dora_{suffix}", "lead": f"lena_{suffix}", "agent": f"ari_{suffix}"}
    yield names
    admin = open_database(database_url)
    with admin.engine.begin() as connection:
        for name in names.values():
            connection.execute(text(f'DROP OWNED BY "{name}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()


def as_role(database_url: str, role: str) -> Database:
    return open_database(make_url(database_url).set(username=role).render_as_string(False))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_dispatchers_database_role_cannot_reassign_an_escalation(
    desk: Database, database_url: str, login_roles, rules, capsys
) -> None:
    with desk.session() as session:
        request = commands.log_request(
            session, "ari", NOW, rules, channel="email", customer="Springfield", summary="x"
        )
        escalation = commands.escalate(session, "ari", NOW, request_id=request.id, kind="product")
    handles = {"dispatcher": "dora", "lead": "lena", "agent": "ari"}
    for role, name in login_roles.items():
        grant = ["db", "grant", handles[role], role, "--login", name]
        assert main([*grant, "--database", database_url]) == 0
    capsys.readouterr()

    dispatcher = as_role(database_url, login_roles["dispatcher"])
    try:
        # Straight SQL, as with psql: refused by Postgres.
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            dispatcher.engine.begin() as connection,
        ):
            connection.execute(
                text("UPDATE escalations SET destination = 'person' WHERE id = :i"),
                {"i": escalation.id},
            )
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            dispatcher.engine.begin() as connection,
        ):
            connection.execute(text("DELETE FROM events"))
        # Through the CLI claiming to be a lead: refused before anything is written.
        code = main(
            [
                "escalation",
                "reassign",
                str(request.id),  # an escalation is named by its request's number
                "--to",
                "tess",
                "--as",
                "lena",
                "--database",
                dispatcher.url.replace("***", ""),
            ]
        )
        _, err = capsys.readouterr()
        assert code != 0 and "connected as dora; --as lena is refused" in err
        assert err.count("\n") == 1
        # What a dispatcher may do, the database allows.
        with dispatcher.session() as session:
            assert commands.assign(session, "dora", NOW, request_id=request.id, to="abe")
    finally:
        dispatcher.dispose()

    lead = as_role(database_url, login_roles["lead"])
    try:
        with lead.session() as session:
            moved = commands.reassign_escalation(
                session, "lena", NOW, escalation_id=escalation.id, to="tess"
            )
            assert moved.assignee == "tess"
    finally:
        lead.dispose()

    agent = as_role(database_url, login_roles["agent"])
    try:
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            agent.engine.begin() as connection,
        ):
            connection.execute(
                text("UPDATE requests SET assignee_id = NULL WHERE id = :i"),
                {"i": request.id},
            )
        # An agent adds a caller as a contact through its own login; designating is a lead's.
        with agent.session() as session:
            added = commands.add_contact(session, "ari", NOW, customer="Springfield", name="Ned")
            assert not added.designated_for_emergencies
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            agent.engine.begin() as connection,
        ):
            connection.execute(
                text("UPDATE contacts SET designated_for_emergencies = true WHERE id = :i"),
                {"i": added.id},
            )
    finally:
        agent.dispose()


def test_grant_refuses_sqlite_and_unknown_roles(capsys, tmp_path) -> None:
    code = main(["db", "grant", "dora", "boss", "--database", f"sqlite:///{tmp_path / 'x.db'}"])
    assert code != 0
    assert "'boss' is not one of" in capsys.readouterr().err


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_an_agents_login_closes_the_gap_but_cannot_reorder(
    desk: Database,
    database_url: str,
    login_roles,
    rules,
    capsys,
) -> None:
    requests, esc = escalate(
        desk, rules, 3
    )  # the technical order: tests/store/test_technical_order.py
    handles = {"dispatcher": "dora", "lead": "lena", "agent": "ari"}
    for role, name in login_roles.items():
        grant = ["db", "grant", handles[role], role, "--login", name]
        assert main([*grant, "--database", database_url]) == 0
    capsys.readouterr()
    agent = as_role(database_url, login_roles["agent"])
    try:
        with agent.session() as session:  # the first one resolved: the others move up
            commands.resolve(session, "ari", NOW, request_id=requests[0])
        with (
            pytest.raises(ProgrammingError, match="permission denied"),
            agent.engine.begin() as connection,
        ):
            connection.execute(
                text("UPDATE escalations SET technical_priority = 3 - technical_priority")
            )
    finally:
        agent.dispose()
    assert order(desk) == esc[1:]

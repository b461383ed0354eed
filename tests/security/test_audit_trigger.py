"""The database audits every change under the real login (issue #12), proven with real
login roles through `psql` and through a SQLAlchemy connection: a plain UPDATE leaves an
`sql.update` event in the login's name, a forged event is refused, the owner's powers stay
the owner's, `--as` someone else is refused, a service records on whose behalf, and
`doctor` notices a login with extra rights or a trigger gone."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from console.cli import main
from console.sql_events import sql_change
from console.store import audit, commands
from console.store.db import Database, open_database
from tests.conftest import NOW, fingerprint

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

UPDATE = (
    "UPDATE requests SET due_at = due_at + interval '3 days',"
    " first_response_at = '2026-12-02 17:00+00' WHERE id = {id}"
)


@pytest.fixture
def logins(database_url: str) -> Iterator[dict[str, str]]:
    """Random login names for ari (agent), lena (lead) and the portal service, granted;
    dropped afterwards (roles are cluster-wide)."""
    suffix = uuid.uuid4().hex[:8]
    names = {"ari": f"ari_{suffix}", "lena": f"lena_{suffix}", "portal": f"portal_{suffix}"}
    admin = open_database(database_url)
    with admin.engine.begin() as connection:
        connection.execute(text("GRANT USAGE ON SCHEMA public TO PUBLIC"))
    try:
        yield names
    finally:
        with admin.engine.begin() as connection:
            for name in names.values():
                if connection.execute(
                    text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
                ).first():
                    connection.execute(text(f'DROP OWNED BY "{name}"'))
                    connection.execute(text(f'DROP ROLE "{name}"'))
        admin.dispose()


@pytest.fixture
def granted(desk: Database, database_url: str, logins: dict[str, str], capsys) -> dict[str, str]:
    grants = [
        ["db", "grant", "ari", "agent", "--login", logins["ari"]],
        ["db", "grant", "lena", "lead", "--login", logins["lena"]],
        ["db", "grant-service", "portal", "--login", logins["portal"]],
    ]
    for args in grants:
        assert main([*args, "--database", database_url]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return logins


def login_url(database_url: str, login: str) -> str:
    return make_url(database_url).set(username=login).render_as_string(False)


def psql(database_url: str, login: str, statement: str) -> tuple[bool, str]:
    """Run `statement` with psql as `login`: (succeeded, stderr)."""
    where = ["-h", "127.0.0.1", "-U", login, "-d", str(make_url(database_url).database)]
    done = subprocess.run(
        ["psql", *where, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-c", statement],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode == 0, done.stderr


def sqlalchemy(database_url: str, login: str, statement: str) -> tuple[bool, str]:
    """Run and commit `statement` on a SQLAlchemy connection as `login`."""
    database = open_database(login_url(database_url, login))
    try:
        with database.engine.begin() as connection:
            connection.execute(text(statement))
        return True, ""
    except DBAPIError as exc:
        return False, str(exc.orig)
    finally:
        database.dispose()


CLIENTS: dict[str, Callable[[str, str, str], tuple[bool, str]]] = {
    "psql": psql,
    "sqlalchemy": sqlalchemy,
}


def events(database: Database) -> list[dict[str, object]]:
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM events ORDER BY id")).mappings()
        return [dict(row) for row in rows]


def a_request(desk: Database, rules) -> int:
    with desk.session() as session:
        view = commands.log_request(
            session, "lena", NOW, rules, channel="email", customer="Springfield", summary="x"
        )
    return view.id


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_plain_sql_update_leaves_an_event_in_the_logins_name(
    desk: Database, database_url: str, granted: dict[str, str], rules, client: str
) -> None:
    request_id = a_request(desk, rules)
    with desk.engine.connect() as connection:
        due = connection.execute(
            text("SELECT due_at FROM requests WHERE id = :i"), {"i": request_id}
        ).scalar_one()
    before = events(desk)
    ok, err = CLIENTS[client](database_url, granted["ari"], UPDATE.format(id=request_id))
    assert ok, err
    new = events(desk)[len(before) :]
    assert len(new) == 1
    event = new[0]
    assert (event["kind"], event["actor"], event["entity"], event["entity_id"]) == (
        "sql.update",
        "ari",
        "request",
        request_id,
    )
    assert set(event["before"]) == set(event["after"]) == {"due_at", "first_response_at"}
    assert event["before"]["first_response_at"] is None
    assert datetime.fromisoformat(event["before"]["due_at"]) == due
    assert (datetime.fromisoformat(event["after"]["due_at"]) - due).days == 3
    assert event["transaction_id"] is not None
    line = sql_change(
        str(event["kind"]), "ari", event["before"], event["after"], lambda at: at.strftime("%a")
    )
    assert line == "changed with SQL by ari: due_at Wed → Sat, first_response_at - → Wed"


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_an_event_in_someone_elses_name_is_refused(
    desk: Database, database_url: str, granted: dict[str, str], rules, client: str
) -> None:
    request_id = a_request(desk, rules)
    before = fingerprint(desk)
    forged = (
        "INSERT INTO events (at, actor, kind, entity, entity_id)"
        f" VALUES (now(), '{{who}}', 'request.assigned', 'request', {request_id})"
    )
    ok, err = CLIENTS[client](database_url, granted["ari"], forged.format(who="lena"))
    assert not ok and "you are connected as ari; an event in the name of lena is refused" in err
    # A staff login cannot claim to act for someone either; only a service can.
    on_behalf = forged.replace("entity_id)", "entity_id, on_behalf_of)").replace(
        f"{request_id})", f"{request_id}, 'contact:1')"
    )
    ok, err = CLIENTS[client](database_url, granted["ari"], on_behalf.format(who="ari"))
    assert not ok and "only a service login" in err
    assert fingerprint(desk) == before
    # What the database cannot tell from the write path: an event in one's own name.
    ok, err = CLIENTS[client](database_url, granted["ari"], forged.format(who="ari"))
    assert ok, err
    assert events(desk)[-1]["actor"] == "ari"


OWNER_ONLY = {
    "ALTER TABLE requests ADD COLUMN x int": "must be owner",
    "DROP TABLE work_logs": "must be owner",
    "TRUNCATE requests": "permission denied",
    "TRUNCATE events": "permission denied",
    "ALTER TABLE events DISABLE TRIGGER ALL": "must be owner",
    "ALTER TABLE requests DISABLE TRIGGER switchboard_audit": "must be owner",
    "DROP FUNCTION switchboard_audit_row()": "must be owner",
    "SET session_replication_role = replica": "permission denied to set parameter",
    "UPDATE db_logins SET staff_id = NULL, service = 'portal'": "permission denied",
    "INSERT INTO db_logins VALUES ('x', NULL, 'pager')": "permission denied",
}


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_a_staff_login_cannot_do_what_only_the_owner_may(
    desk: Database, database_url: str, granted: dict[str, str], client: str
) -> None:
    before = fingerprint(desk)
    for statement, refusal in OWNER_ONLY.items():
        for login in (granted["ari"], granted["lena"]):
            ok, err = CLIENTS[client](database_url, login, statement)
            assert not ok and refusal in err, (login, statement, err)
    assert fingerprint(desk) == before


def test_as_someone_else_is_refused_in_one_line_with_nothing_written(
    desk: Database, database_url: str, granted: dict[str, str], rules, capsys
) -> None:
    request_id = a_request(desk, rules)
    url = login_url(database_url, granted["ari"])
    before = fingerprint(desk)
    code = main(["ticket", "respond", str(request_id), "--as", "lena", "--database", url])
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert err == (
        "switchboard: you are connected as ari; --as lena is refused: "
        "the database records every change in the login's own name\n"
    )
    assert fingerprint(desk) == before
    # Without --as the login's staff member acts (SWITCHBOARD_USER would be --as too).
    assert main(["presence", "set", "ari", "away", "--database", url]) == 0, capsys.readouterr()
    assert [e["actor"] for e in events(desk)[len(before["events"]) :]] == ["ari"]


def test_a_service_login_records_the_service_and_on_whose_behalf(
    desk: Database, database_url: str, granted: dict[str, str], rules
) -> None:
    request_id = a_request(desk, rules)
    portal = open_database(login_url(database_url, granted["portal"]))
    try:
        with portal.session() as session:
            audit.record(
                session,
                actor="portal",
                at=NOW,
                kind="request.commented",
                entity="request",
                entity_id=request_id,
                before=None,
                after={"comment": "any news?"},
                on_behalf_of="contact:1",
            )
            session.commit()
        ok, err = sqlalchemy(database_url, granted["portal"], UPDATE.format(id=request_id))
        assert ok, err
        with (
            pytest.raises(DBAPIError, match="you are connected as portal"),
            portal.session() as session,
        ):
            audit.record(
                session,
                actor="lena",
                at=NOW,
                kind="request.assigned",
                entity="request",
                entity_id=request_id,
                before=None,
                after=None,
            )
    finally:
        portal.dispose()
    last = events(desk)[-2:]
    assert [(e["kind"], e["actor"], e["on_behalf_of"]) for e in last] == [
        ("request.commented", "portal", "contact:1"),
        ("sql.update", "portal", None),
    ]


def test_a_psql_change_notifies_once(
    desk: Database, database_url: str, granted: dict[str, str], rules
) -> None:
    request_id = a_request(desk, rules)
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute(f"LISTEN {audit.CHANNEL}")
        ok, err = psql(database_url, granted["ari"], UPDATE.format(id=request_id))
        assert ok, err
        got = [int(n.payload) for n in listener.notifies(timeout=5, stop_after=1)]
        listener.execute("SELECT 1")
        got += [int(n.payload) for n in listener.notifies(timeout=0.2)]
    assert got == [events(desk)[-1]["id"]]


def test_doctor_reports_a_login_with_extra_rights_and_a_missing_trigger(
    desk: Database, database_url: str, granted: dict[str, str], capsys
) -> None:
    def doctor() -> dict[str, dict[str, object]]:
        main(["doctor", "--database", database_url, "--json"])
        return json.loads(capsys.readouterr().out)

    healthy = doctor()
    assert healthy["logins"]["ok"] and healthy["triggers"]["ok"], healthy
    with desk.engine.begin() as connection:
        connection.execute(text(f'GRANT UPDATE ON events TO "{granted["ari"]}"'))
        connection.execute(text(f'ALTER ROLE "{granted["lena"]}" CREATEROLE'))
        connection.execute(text(f'GRANT switchboard_lead TO "{granted["portal"]}"'))
        connection.execute(text("ALTER TABLE shifts DISABLE TRIGGER switchboard_audit"))
    try:
        report = doctor()
    finally:
        with desk.engine.begin() as connection:
            connection.execute(text("ALTER TABLE shifts ENABLE TRIGGER switchboard_audit"))
    logins, triggers = report["logins"], report["triggers"]
    assert not logins["ok"] and not triggers["ok"]
    assert f"{granted['ari']} (direct grants on events)" in str(logins["detail"])
    assert f"{granted['lena']} (createrole)" in str(logins["detail"])
    assert f"{granted['portal']} (member of 2 groups)" in str(logins["detail"])
    assert "shifts.switchboard_audit" in str(triggers["detail"])
    assert doctor()["triggers"]["ok"]

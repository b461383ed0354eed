"""Security: a password in a database URL is never printed, the audit log cannot be edited,
and a dispatcher's database login cannot take a lead's powers.

Already proven elsewhere, and not repeated here:

- `tests/store/test_schema.py::test_events_are_append_only`: the migration's triggers refuse
  UPDATE and DELETE on `events` even for the table owner (the migration role), on Postgres
  and on SQLite. The triggers are row triggers, so they do not see TRUNCATE: the owner may
  still empty the table (the test fixtures do, between tests). That is the one exception
  issue 8 grants ("every role but the migration owner"); no login role made by
  `switchboard db grant` has the TRUNCATE privilege, which is tested below.
- `tests/store/test_grants.py`: a dispatcher's login role cannot move an escalation by SQL,
  nor reassign one through the CLI while claiming to be a lead; an agent's cannot assign.
- `tests/store/test_commands.py::test_roles_are_enforced_and_nothing_is_written` and
  `tests/ui/test_lead_keys.py`: the application refuses a dispatcher's lead actions, from
  the write path and from the keyboard.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from console.cli import main
from console.store import commands
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.feed import Feed, FeedState, FeedStatus
from tests.conftest import NOW

# The password, in two halves: a URL with an unencoded @ splits it there.
HALVES = ("Zq7xK", "Wv9yJ")
PASSWORD = "".join(HALVES)

#: Loggers that would print a URL if anything handed them one (at DEBUG, everything).
LOGGERS = ("", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "psycopg", "alembic")

#: Bad or unreachable database URLs, each holding the password somewhere.
FAILING_URLS = {
    "connection refused": f"postgresql://desk:{PASSWORD}@127.0.0.1:1/desk",
    "unknown host": f"postgresql+psycopg://desk:{PASSWORD}@no-such-host.invalid/desk",
    "no such database": f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/no_such_db_8f3a",
    "bad connection option": f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/x?sslmode=bogus",
    "password in the query": f"postgresql://desk@127.0.0.1:1/desk?password={PASSWORD}",
    "unsupported database": f"mysql://desk:{PASSWORD}@127.0.0.1/desk",
    "driver not installed": f"postgresql+pg8000://desk:{PASSWORD}@127.0.0.1:1/desk",
    "unknown driver": f"postgresql+nosuchdriver://desk:{PASSWORD}@127.0.0.1/desk",
    "port not a number": f"postgresql://desk:{PASSWORD}@127.0.0.1:port/desk",
    "unclosed IPv6 host": f"postgresql://desk:{PASSWORD}@[::1/desk",
    "space in the scheme": f"postgres ql://desk:{PASSWORD}@127.0.0.1/desk",
    "malformed SQLite URL": f"sqlite://desk:{PASSWORD}@/desk.sqlite3",
    "unencoded @ in the password": f"postgresql://desk:{HALVES[0]}@{HALVES[1]}@127.0.0.1:1/desk",
    "unencoded @ and a colon": f"postgresql://desk:{HALVES[0]}@{HALVES[1]}:1@127.0.0.1/desk",
}
COMMANDS = [["doctor"], ["db", "upgrade"], ["events"], ["ticket", "list"], ["console"]]


def leaks(*texts: str) -> list[str]:
    """The parts of the password found in `texts` (none, we hope)."""
    return [part for part in HALVES if any(part in t for t in texts)]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Everything logged at DEBUG, by us and by SQLAlchemy, psycopg and Alembic."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [n for n in os.environ if n.startswith("SWITCHBOARD_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str) -> None:
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("switchboard: "), err
    assert "Traceback" not in err
    assert "internal error" not in err, f"bad input reported as a bug: {err}"


# -- passwords are never printed ----------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("url", FAILING_URLS.values(), ids=FAILING_URLS.keys())
def test_a_failing_url_is_one_line_without_its_password(
    capsys: pytest.CaptureFixture[str], logs: pytest.LogCaptureFixture, url: str, command: list[str]
) -> None:
    code, out, err = run(capsys, *command, "--database", url)
    assert_one_line_error(code, err)
    assert not leaks(out, err, logs.text), f"password printed: {out}{err}{logs.text}"
    assert "***" in out + err  # the message names the URL, masked


def test_the_url_before_the_command_is_refused_without_its_password(
    capsys: pytest.CaptureFixture[str], logs: pytest.LogCaptureFixture
) -> None:
    # `--database` belongs to the command; given to `switchboard` itself it is a usage error.
    code, out, err = run(capsys, "--database", FAILING_URLS["connection refused"], "doctor")
    assert code == 2
    assert_one_line_error(code, err)
    assert not leaks(out, err, logs.text)


@pytest.mark.parametrize(
    "how", ["SWITCHBOARD_DATABASE_URL", "SWITCHBOARD_DATABASE__URL", "settings file"]
)
def test_a_url_from_the_environment_or_a_file_is_not_printed_either(
    capsys: pytest.CaptureFixture[str],
    logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    how: str,
) -> None:
    url = FAILING_URLS["connection refused"]
    if how == "settings file":
        config = tmp_path / "desk.toml"
        config.write_text(f'[database]\nurl = "{url}"\n')
        monkeypatch.setenv("SWITCHBOARD_CONFIG", str(config))
    else:
        monkeypatch.setenv(how, url)
    for command in (["doctor"], ["ticket", "list"]):
        code, out, err = run(capsys, *command)
        assert_one_line_error(code, err)
        assert "127.0.0.1:1" in out + err, "the configured URL was not the one used"
        assert not leaks(out, err, logs.text)


def switchboard_command() -> list[str]:
    """The installed `switchboard` script beside this interpreter (else the same entry)."""
    script = Path(sys.executable).with_name("switchboard")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from console.cli import entry; entry()"]


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--database", FAILING_URLS["connection refused"], "doctor"], {}),
        (["doctor", "--database", FAILING_URLS["unencoded @ and a colon"]], {}),
        (["doctor"], {"SWITCHBOARD_DATABASE_URL": FAILING_URLS["password in the query"]}),
        (["db", "current"], {"SWITCHBOARD_DATABASE__URL": FAILING_URLS["driver not installed"]}),
    ],
    ids=["url before the command", "unencoded @", "query password in env", "missing driver"],
)
def test_the_installed_command_never_prints_the_password_nor_a_traceback(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    environment |= {"XDG_DATA_HOME": str(tmp_path / "data"), **env}
    result = subprocess.run(
        [*switchboard_command(), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert_one_line_error(result.returncode, result.stderr)
    assert not leaks(result.stdout, result.stderr), result.stdout + result.stderr


def with_password(url: str, *, in_query: bool = False) -> str:
    """`url` with the password added (trust authentication ignores it, so it connects)."""
    parsed = make_url(url)
    if in_query:
        parsed = parsed.update_query_dict({"password": PASSWORD})
    else:
        parsed = parsed.set(password=PASSWORD)
    return parsed.render_as_string(hide_password=False)


@pytest.mark.postgres
@pytest.mark.parametrize("in_query", [False, True], ids=["user part", "query"])
def test_commands_on_a_reachable_postgres_never_print_the_password(
    capsys: pytest.CaptureFixture[str],
    logs: pytest.LogCaptureFixture,
    postgres_url: str,
    in_query: bool,
) -> None:
    url = with_password(postgres_url, in_query=in_query)
    assert PASSWORD in url
    outputs: list[str] = []
    for command in (
        ["db", "upgrade"],
        ["db", "current"],
        ["doctor"],
        ["doctor", "--json"],
        ["events", "--json"],
        ["ticket", "list"],
    ):
        code, out, err = run(capsys, *command, "--database", url)
        if command[0] != "doctor":  # doctor may fail a check on a busy machine (slow NOTIFY)
            assert (code, err) == (0, ""), f"{command}: {err}"
        outputs += [out, err]
    text_out = "".join(outputs)
    assert "ok    connection" in text_out and '"connection": {"ok": true' in text_out
    assert ":***@" in text_out or "password=***" in text_out  # the URL is shown, masked
    assert any(r.name.startswith("sqlalchemy.engine") for r in logs.records), "nothing logged"
    assert not leaks(text_out, logs.text)


@pytest.mark.postgres
@pytest.mark.parametrize("reachable", [True, False], ids=["reachable", "unreachable"])
def test_the_feed_logs_no_password(
    logs: pytest.LogCaptureFixture, postgres_url: str, reachable: bool
) -> None:
    """The console's feed connects with the password itself; its retries are logged."""
    url = with_password(postgres_url if reachable else "postgresql://desk@127.0.0.1:1/desk")
    feed = Feed(url, poll_interval=0.05, safety_interval=0.2, max_backoff=0.2)
    states: list[FeedState] = []
    runner = threading.Thread(target=feed.run, args=(lambda _batch: None, states.append))
    runner.start()

    def arrived() -> bool:
        if reachable:  # connected with the password, listening
            return any(state.status is FeedStatus.LIVE for state in states)
        return "feed lost its connection" in logs.text  # a retry, logged

    try:
        deadline = time.monotonic() + 120  # generous: the machine may be busy
        while not arrived() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        feed.stop()
        runner.join(10)
    assert arrived(), states
    assert any(r.name.startswith("psycopg") for r in logs.records), "nothing logged"
    assert not leaks(logs.text), logs.text


# -- the audit log is append-only for every login role -------------------------------------


@pytest.fixture
def login_roles(database_url: str) -> Iterator[dict[str, str]]:
    """Unique login role names, one per group; dropped afterwards (roles are cluster-wide)."""
    suffix = uuid.uuid4().hex[:8]
    names = {"agent": f"ari_{suffix}", "dispatcher": f"dora_{suffix}", "lead": f"lena_{suffix}"}
    admin = open_database(database_url)
    with admin.engine.begin() as connection:
        # What every new database has, and tests/conftest.py's schema reset (DROP and
        # CREATE SCHEMA public, after a test left another revision) loses: without it the
        # roles `db grant` makes cannot even see the tables. `db grant` does not grant it.
        connection.execute(text("GRANT USAGE ON SCHEMA public TO PUBLIC"))
    yield names
    with admin.engine.begin() as connection:
        for name in names.values():
            exists = connection.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
            ).first()
            if exists:
                connection.execute(text(f'DROP OWNED BY "{name}"'))
                connection.execute(text(f'DROP ROLE "{name}"'))
    admin.dispose()


def as_role(database_url: str, role: str) -> Database:
    return open_database(make_url(database_url).set(username=role).render_as_string(False))


def all_events(database: Database) -> list[tuple[object, ...]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT * FROM events ORDER BY id"))]


def refused(database: Database, statement: str) -> str:
    """The database's refusal of `statement`; never committed, even if it went through."""
    with database.engine.connect() as connection:
        try:
            connection.execute(text(statement))
        except DBAPIError as exc:
            return str(exc.orig)
        connection.rollback()
    pytest.fail(f"{statement!r} was allowed")


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.parametrize("role", ["agent", "dispatcher", "lead"])
def test_no_login_role_can_edit_remove_or_unguard_events(
    desk: Database,
    database_url: str,
    login_roles: dict[str, str],
    role: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = login_roles[role]
    handle = {"agent": "ari", "dispatcher": "dora", "lead": "lena"}[role]
    grant = ["db", "grant", handle, role, "--login", name, "--database", database_url]
    assert main(grant) == 0
    capsys.readouterr()
    before = all_events(desk)
    member = as_role(database_url, name)
    try:
        for statement in (
            "UPDATE events SET actor = 'mallory'",
            "UPDATE events SET after = NULL WHERE id = (SELECT max(id) FROM events)",
            "DELETE FROM events",
            "DELETE FROM events WHERE id = (SELECT min(id) FROM events)",
            "TRUNCATE events",
        ):
            assert "permission denied for table events" in refused(member, statement)
        # Nor can the guard be taken away: the triggers belong to the owner, and only a
        # superuser may switch triggers off for a session.
        for statement in (
            "ALTER TABLE events DISABLE TRIGGER events_append_only",
            "DROP TRIGGER events_append_only ON events",
            "DROP FUNCTION events_append_only()",
        ):
            assert "must be owner" in refused(member, statement)
        assert "permission denied to set parameter" in refused(
            member, "SET session_replication_role = replica"
        )
        # Appending is what every role does with each action: that still works.
        with member.session() as session:
            commands.set_presence(session, handle, NOW, staff=handle, state="away")
    finally:
        member.dispose()
    after = all_events(desk)
    assert after[: len(before)] == before, "an existing event changed"
    assert len(after) == len(before) + 1


# -- a dispatcher's login cannot take a lead's powers ---------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_dispatchers_login_cannot_do_what_only_leads_may(
    desk: Database,
    database_url: str,
    login_roles: dict[str, str],
    rules: Rules,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The columns test_grants.py leaves out, and the way around them all: promoting
    oneself to lead in the staff table. A lead's login may do each (the control)."""
    with desk.session() as session:
        request = commands.log_request(
            session, "ari", NOW, rules, channel="email", customer="Springfield", summary="x"
        )
        escalation = commands.escalate(session, "ari", NOW, request_id=request.id, kind="product")
    for role, handle in (("dispatcher", "dora"), ("lead", "lena")):
        grant = ["db", "grant", handle, role, "--login", login_roles[role]]
        assert main([*grant, "--database", database_url]) == 0
    capsys.readouterr()
    lead_only = [
        "UPDATE escalations SET assignee_id = (SELECT id FROM staff WHERE handle = 'tess')"
        f" WHERE id = {escalation.id}",
        f"UPDATE escalations SET reason = 'mine now' WHERE id = {escalation.id}",
        f"UPDATE escalations SET technical_priority = 1 WHERE id = {escalation.id}",
        "UPDATE staff SET role = 'lead' WHERE handle = 'dora'",
        "INSERT INTO staff (handle, name, role, department, active, added_at)"
        " VALUES ('boss', 'Boss', 'lead', 'desk', true, now())",
        "INSERT INTO customers (municipality, liaison_id, added_at)"
        " VALUES ('Ogdenville', (SELECT id FROM staff WHERE handle = 'ari'), now())",
    ]
    before = all_events(desk)
    dispatcher = as_role(database_url, login_roles["dispatcher"])
    try:
        for statement in lead_only:
            assert "permission denied for table" in refused(dispatcher, statement), statement
    finally:
        dispatcher.dispose()
    lead = as_role(database_url, login_roles["lead"])
    try:
        with lead.engine.connect() as connection:
            for statement in lead_only:
                assert connection.execute(text(statement)).rowcount == 1, statement
            connection.rollback()
    finally:
        lead.dispose()
    with desk.engine.connect() as connection:
        role_now = connection.execute(text("SELECT role FROM staff WHERE handle = 'dora'"))
        assert role_now.scalar_one() == "dispatcher"
    assert all_events(desk) == before

"""Intake on Postgres: the same message piped concurrently files once; the database down
during a pipe is exit 75 and the retry lands once; a COMMIT whose answer is lost is
retried and the message filed once; the service login writes in its own name."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from console.cli import main
from console.store.db import Database, open_database
from console.store.models import Event, Request
from console.store.models_mail import MailMessage
from tests.mail.conftest import raw
from tests.mail.intake_helpers import mail_desk, message, pipe
from tests.tcp_proxy import CommitCutProxy, Proxy

SWITCHBOARD = str(Path(sys.executable).with_name("switchboard"))
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


@pytest.fixture
def mail(desk: Database) -> Database:
    return mail_desk(desk)


def filed(database: Database) -> tuple[int, int, int]:
    """(requests, mail messages, request.logged events)."""
    with database.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(Request)) or 0,
            session.scalar(select(func.count()).select_from(MailMessage)) or 0,
            session.scalar(
                select(func.count()).select_from(Event).where(Event.kind == "request.logged")
            )
            or 0,
        )


def cli_pipe(capsys, monkeypatch, url: str, data: bytes) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(["intake", "pipe", "--json", "--database", url])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_same_message_piped_concurrently_files_once(mail: Database, database_url: str) -> None:
    data = message("dmiller@springfield.example", "Race", message_id=f"<{uuid.uuid4()}@x>")
    barrier = threading.Barrier(6)
    results = []
    lock = threading.Lock()

    def one() -> None:
        database = open_database(database_url)
        try:
            barrier.wait()
            result = pipe(database, data)
            with lock:
                results.append(result)
        finally:
            database.dispose()

    threads = [threading.Thread(target=one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(r.outcome for r in results) == ["duplicate"] * 5 + ["new"]
    assert len({r.request for r in results}) == 1
    assert filed(mail) == (1, 1, 1)
    # And as separate processes, the way an MTA runs them.
    other = message("dmiller@springfield.example", "Race 2", message_id=f"<{uuid.uuid4()}@x>")
    env = {**os.environ, "SWITCHBOARD_DATABASE_URL": database_url}
    processes = [
        subprocess.Popen(
            [SWITCHBOARD, "intake", "pipe", "--json"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for _ in range(3)
    ]
    answers = []
    for process in processes:
        out, err = process.communicate(other, timeout=120)
        assert process.returncode == 0, err
        answers.append(json.loads(out)["outcome"])
    assert sorted(answers) == ["duplicate", "duplicate", "new"]
    assert filed(mail) == (2, 2, 2)


def test_the_database_down_during_a_pipe_is_exit_75_then_the_retry_lands_once(
    mail: Database, database_url: str, capsys, monkeypatch
) -> None:
    url = make_url(database_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(port=proxy.port).render_as_string(hide_password=False)
    try:
        proxy.cut()
        code, out, err = cli_pipe(capsys, monkeypatch, through, raw("outlook_reply.eml"))
        assert code == 75 and out == "" and err.count("\n") == 1 and "Traceback" not in err
        assert filed(mail) == (0, 0, 0)
        proxy.restore()
        code, out, _ = cli_pipe(capsys, monkeypatch, through, raw("outlook_reply.eml"))
        assert code == 0 and json.loads(out)["outcome"] == "new"
        code, out, _ = cli_pipe(capsys, monkeypatch, through, raw("outlook_reply.eml"))
        assert code == 0 and json.loads(out)["outcome"] == "duplicate"
    finally:
        proxy.close()
    assert filed(mail) == (1, 1, 1)


@pytest.mark.parametrize("point", ["before", "after"])
def test_a_commit_cut_is_retried_and_files_the_message_once(
    mail: Database, database_url: str, point: str
) -> None:
    url = make_url(database_url)
    proxy = CommitCutProxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(port=proxy.port, query={"sslmode": "disable"}).render_as_string(False)
    database = open_database(through, pool_pre_ping=True)
    try:
        proxy.arm(point, b"INSERT INTO mail_messages")
        result = pipe(database, raw("outlook_reply.eml"))
        assert not proxy.armed
    finally:
        database.dispose()
        proxy.close()
    # Cut before: the retry files it. Cut after: it had landed, the retry finds it.
    assert result.outcome == ("new" if point == "before" else "duplicate")
    assert result.request is not None
    assert filed(mail) == (1, 1, 1)


@pytest.fixture
def intake_login(database_url: str) -> Iterator[str]:
    name = f"intake_{uuid.uuid4().hex[:8]}"
    admin = open_database(database_url)
    try:
        yield name
    finally:
        with admin.engine.begin() as connection:
            if connection.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
            ).first():
                connection.execute(text(f'DROP OWNED BY "{name}"'))
                connection.execute(text(f'DROP ROLE "{name}"'))
        admin.dispose()


def test_the_service_login_files_mail_in_its_own_name(
    mail: Database, database_url: str, intake_login: str, capsys, monkeypatch
) -> None:
    assert (
        main(["db", "grant-service", "intake", "--login", intake_login, "--database", database_url])
        == 0
    )
    capsys.readouterr()
    as_intake = make_url(database_url).set(username=intake_login).render_as_string(False)
    for name in (
        "outlook_reply.eml",
        "base64_body.eml",
        "x_autoreply.eml",
        "asterisk_voicemail.eml",
    ):
        code, out, err = cli_pipe(capsys, monkeypatch, as_intake, raw(name))
        assert code == 0, err
    code, out, err = cli_pipe(capsys, monkeypatch, as_intake, b"\x00 no mail")
    assert code == 0 and json.loads(out)["outcome"] == "quarantined"
    with mail.reading() as session:
        rows = session.execute(
            select(Event.actor, Event.kind, Event.on_behalf_of).where(Event.actor != "lena")
        ).all()
    assert {actor for actor, _, _ in rows} == {"intake"}
    assert not [kind for _, kind, _ in rows if kind.startswith("sql.")]  # every row had its event
    assert any(behalf and behalf.startswith("contact:") for _, _, behalf in rows)


def test_a_staff_login_is_no_intake(
    mail: Database, database_url: str, intake_login: str, capsys, monkeypatch
) -> None:
    # (the fixture's login name, bound to the agent ari instead of the service)
    granted = main(
        ["db", "grant", "ari", "agent", "--login", intake_login, "--database", database_url]
    )
    assert granted == 0
    capsys.readouterr()
    as_ari = make_url(database_url).set(username=intake_login).render_as_string(False)
    code, out, err = cli_pipe(capsys, monkeypatch, as_ari, raw("outlook_reply.eml"))
    assert code == 75 and out == "" and "grant-service intake" in err
    assert filed(mail) == (0, 0, 0)


def test_two_imap_fetchers_on_postgres_take_turns_and_file_once(
    mail: Database, dovecot, monkeypatch
) -> None:
    from tests.mail.dovecot import PASSWORD
    from tests.mail.test_imap import numbered, once

    monkeypatch.setenv("SWITCHBOARD_TEST_IMAP_PASSWORD", PASSWORD)
    dovecot.append(*numbered(0, 20))
    threads = [threading.Thread(target=once, args=(mail, dovecot)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert filed(mail) == (20, 20, 20)
    assert once(mail, dovecot) == 0

"""`switchboard intake pipe|retry|held`, `ticket attach`, `customer domain add`, `ticket show`
with its messages, and `doctor`'s quarantine count (SQLite; Postgres faults in
tests/mail/test_intake_postgres.py)."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from console.cli import main
from console.store.db import Database
from tests.mail.conftest import raw
from tests.mail.intake_helpers import mail_desk, message

KEYS = {"outcome", "request", "reason", "quarantine"}


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "switchboard.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def mail(desk: Database) -> Database:
    return mail_desk(desk)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def pipe(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    data: bytes,
    *extra: str,
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    return run(capsys, "intake", "pipe", "--database", url, *extra)


def test_pipe_prints_one_json_object_and_exits_0_for_every_outcome(
    mail: Database, database_url: str, capsys, monkeypatch
) -> None:
    seen = {}
    for data in (
        raw("outlook_reply.eml"),
        raw("outlook_reply.eml"),
        raw("x_autoreply.eml"),
        b"not a message",
        message("dmiller@springfield.example", "Re: x [SB#1]", message_id="<r@x>"),
    ):
        code, out, err = pipe(capsys, monkeypatch, database_url, data, "--json")
        assert (code, err) == (0, "")
        answer = json.loads(out)
        assert set(answer) == KEYS
        seen[answer["outcome"]] = answer
    assert set(seen) == {"new", "duplicate", "ignored", "quarantined", "reply"}
    assert seen["duplicate"]["request"] == seen["new"]["request"] == 1
    assert seen["quarantined"]["request"] is None
    code, out, _ = pipe(capsys, monkeypatch, database_url, raw("html_only.eml"))
    assert code == 0 and out.startswith("new: new request ") and out.count("\n") == 1


def test_a_busy_database_is_exit_75_then_the_retry_lands_once(
    mail: Database, database_url: str, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_DATABASE__BUSY_TIMEOUT", "0.2")
    locker = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        code, out, err = pipe(capsys, monkeypatch, database_url, raw("base64_body.eml"), "--json")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert code == 75 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "busy" in err and "deliver it again" in err
    code, out, _ = pipe(capsys, monkeypatch, database_url, raw("base64_body.eml"), "--json")
    assert code == 0 and json.loads(out)["outcome"] == "new"
    code, out, _ = pipe(capsys, monkeypatch, database_url, raw("base64_body.eml"), "--json")
    assert code == 0 and json.loads(out)["outcome"] == "duplicate"


def test_an_unreachable_database_is_exit_75_in_one_line(capsys, monkeypatch) -> None:
    url = "postgresql+psycopg://intake:hunter2@127.0.0.1:1/desk"
    code, out, err = pipe(capsys, monkeypatch, url, raw("base64_body.eml"))
    assert code == 75 and out == "" and err.count("\n") == 1
    assert "hunter2" not in err and "Traceback" not in err


def test_attach_domains_show_held_retry_and_doctor(
    mail: Database, database_url: str, capsys, monkeypatch
) -> None:
    code, _, err = run(
        capsys, "customer", "add", "Ogdenville", "--liaison", "ari",
        "--domain", "ogdenville.example", "--database", database_url, "--as", "lena",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = pipe(capsys, monkeypatch, database_url, raw("base64_body.eml"), "--json")
    assert json.loads(out)["outcome"] == "new"
    code, out, _ = run(capsys, "ticket", "show", "1", "--json", "--database", database_url)
    shown = json.loads(out)
    assert shown["customer"] == "Ogdenville" and shown["status"] == "open"
    assert shown["messages"][0]["sender"] == "sortiz@ogdenville.example"
    assert shown["messages"][0]["received_at"].endswith("-06:00")
    assert any(e["kind"] == "mail.received" and e["actor"] == "intake" for e in shown["events"])
    code, out, _ = pipe(capsys, monkeypatch, database_url, raw("rfc2047_latin1.eml"), "--json")
    triage = json.loads(out)["request"]
    code, out, _ = run(capsys, "ticket", "show", str(triage), "--database", database_url)
    assert code == 0 and "triage via email" in out and "flevesque@brockway.example" in out
    code, _, err = run(
        capsys, "customer", "domain", "add", "Shelbyville", "@Brockway.Example",
        "--database", database_url, "--as", "lena",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys, "customer", "domain", "add", "Springfield", "brockway.example",
        "--database", database_url, "--as", "lena",
    )  # fmt: skip
    assert code == 1 and "already belongs to Shelbyville" in err
    code, out, err = run(
        capsys, "ticket", "attach", str(triage), "--customer", "Shelbyville",
        "--database", database_url, "--as", "dora", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["status"] == "open"
    code, out, _ = pipe(capsys, monkeypatch, database_url, b"\x00garbage", "--json")
    held = json.loads(out)["quarantine"]
    code, out, _ = run(capsys, "doctor", "--json", "--database", database_url)
    assert code == 1 and json.loads(out)["quarantine"]["ok"] is False
    code, out, _ = run(capsys, "intake", "held", "--json", "--database", database_url)
    assert [h["id"] for h in json.loads(out)] == [held]
    code, out, _ = run(capsys, "intake", "retry", str(held), "--json", "--database", database_url)
    assert code == 0 and json.loads(out)["outcome"] == "quarantined"  # still no mail
    code, _, err = run(capsys, "intake", "retry", "999", "--database", database_url)
    assert code == 1 and err.strip() == "switchboard: no quarantined message 999"

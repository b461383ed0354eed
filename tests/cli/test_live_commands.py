"""`switchboard events` and `switchboard doctor`, as a desk runs them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import select

from console.cli import main
from console.store import commands
from console.store.db import Database
from console.store.models import Event


def event_ids(database: Database) -> list[int]:
    with database.engine.connect() as connection:
        return list(connection.execute(select(Event.id).order_by(Event.id)).scalars())


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_events_json_lists_the_audit_log_and_since_skips(
    capsys, desk: Database, database_url
) -> None:
    code, out, _ = run(capsys, "events", "--database", database_url, "--json")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == event_ids(desk)
    assert set(lines[0]) == {"id", "kind", "entity", "entity_id", "at", "actor"}
    assert lines[0]["kind"] == "staff.added" and lines[0]["at"].endswith("-06:00")
    third = lines[2]["id"]
    code, out, _ = run(
        capsys, "events", "--database", database_url, "--since", str(third), "--json"
    )
    assert [json.loads(line)["id"] for line in out.splitlines()] == [e["id"] for e in lines[3:]]


def test_events_follow_prints_new_events_as_they_happen(desk: Database, database_url) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from console.cli import entry; entry()",
            "events",
            "--follow",
            "--json",
            "--database",
            database_url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SWITCHBOARD_FEED__POLL_INTERVAL": "0.05"},
    )
    try:
        seen = [json.loads(process.stdout.readline()) for _ in event_ids(desk)]
        assert seen[-1]["kind"] == "contact.added"
        from tests.conftest import NOW

        with desk.session() as session:
            commands.set_presence(session, "abe", NOW, staff="abe", state="away")
        line = json.loads(process.stdout.readline())
        assert line["kind"] == "presence.set" and line["actor"] == "abe"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        finally:
            process.kill()
    assert process.returncode == 0


def test_doctor_on_a_healthy_database(capsys, database: Database, database_url) -> None:
    code, out, _ = run(capsys, "doctor", "--database", database_url, "--json")
    assert code == 0
    report = json.loads(out)
    assert all(check["ok"] for check in report.values())
    assert set(report) == {
        "connection",
        "schema",
        "quarantine",
        "notify",
        "clock",
        "logins",
        "triggers",
    }
    if database.dialect == "postgresql":
        assert "round trip" in report["notify"]["detail"]
        assert "from this machine" in report["clock"]["detail"]


def test_doctor_names_an_unreachable_server_without_its_password(capsys) -> None:
    url = "postgresql+psycopg://desk:hunter2@127.0.0.1:1/desk"
    code, out, err = run(capsys, "doctor", "--database", url)
    assert code != 0
    assert "FAIL  connection" in out and "hunter2" not in out + err
    assert "***" in out


@pytest.mark.parametrize("args", [["events", "--since", "-1"], ["events", "--since", "abc"]])
def test_events_bad_input(capsys, args) -> None:
    code, out, err = run(capsys, *args)
    assert code != 0 and out == "" and err.count("\n") == 1

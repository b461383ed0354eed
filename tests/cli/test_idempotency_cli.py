"""--idempotency-key on every write command, and writes that land exactly once when the
connection is lost at COMMIT (a proxy that reads the Postgres protocol cuts it there)."""

from __future__ import annotations

import json
import os
import time
import uuid

import click
import pytest
from sqlalchemy import func, select

from console.cli import cli, main
from console.store.db import Database
from console.store.models import Event, IdempotencyKey, Request
from tests.tcp_proxy import CommitCutProxy

#: Every command that writes (docs/cli.md), and nothing else, takes the key.
WRITERS = {
    "ticket new",
    "ticket assign",
    "ticket respond",
    "ticket escalate",
    "ticket work",
    "ticket notice",
    "ticket decline",
    "ticket resolve",
    "ticket reopen",
    "ticket verify",
    "ticket downgrade",
    "ticket attach",
    "escalation reassign",
    "escalation priority",
    "presence set",
    "roster add",
    "staff add",
    "customer add",
    "customer domain add",
    "contact add",
    "followup done",
    "ticket reply",
    "portal account add",
    "portal account disable",
    "staff contact",
    "page ack",
}
NEW = ["ticket", "new", "--customer", "Springfield", "--channel", "email"]


def _commands(group: click.Group, prefix: str = ""):
    context = click.Context(group)
    for name in group.list_commands(context):  # the top group loads them lazily
        command = group.get_command(context, name)
        assert command is not None
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from _commands(command, f"{path} ")
        else:
            yield path, command


def test_every_write_command_and_only_those_take_the_key() -> None:
    keyed = {
        path
        for path, command in _commands(cli)
        if any("--idempotency-key" in p.opts for p in command.params)
    }
    assert keyed == WRITERS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def counts(database: Database) -> tuple[int, int, int]:
    with database.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Request)),
            session.scalar(select(func.count()).select_from(Event)),
            session.scalar(select(func.count()).select_from(IdempotencyKey)),
        )


@pytest.fixture
def cli_desk(desk: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", desk.engine.url.render_as_string(False))
    monkeypatch.setenv("SWITCHBOARD_USER", "ari")
    return desk


def test_the_same_key_prints_the_first_answer_and_writes_nothing_more(
    cli_desk: Database, capsys: pytest.CaptureFixture[str], fingerprint_of
) -> None:
    key = ["--idempotency-key", "call-0815"]
    code, first_json, _ = run(capsys, *NEW, "--summary", "Agenda upload", *key, "--json")
    assert code == 0
    made = json.loads(first_json)
    code, first_line, _ = run(capsys, *NEW, "--summary", "Agenda upload", *key)
    assert (code, first_line) == (0, f"{made['id']}\n")
    before = fingerprint_of(cli_desk)
    for _ in range(2):
        assert run(capsys, *NEW, "--summary", "Agenda upload", *key, "--json") == (
            0,
            first_json,
            "",
        )
        assert run(capsys, *NEW, "--summary", "Agenda upload", *key) == (0, first_line, "")
    assert fingerprint_of(cli_desk) == before
    assert counts(cli_desk)[2] == 1


def test_the_same_key_for_another_write_or_person_is_refused_in_one_line(
    cli_desk: Database, capsys: pytest.CaptureFixture[str], fingerprint_of
) -> None:
    key = ["--idempotency-key", "call-0816"]
    assert run(capsys, *NEW, "--summary", "Agenda upload")[1] == "1\n"
    assert run(capsys, "ticket", "assign", "1", "--to", "abe", "--as", "dora", *key)[0] == 0
    before = fingerprint_of(cli_desk)
    for other in (
        ["ticket", "assign", "1", "--to", "ari", "--as", "dora"],  # other arguments
        ["ticket", "assign", "1", "--to", "abe", "--as", "lena"],  # another person
        ["ticket", "resolve", "1", "--as", "dora"],  # another command
    ):
        code, out, err = run(capsys, *other, *key)
        assert (code, out) == (1, "")
        assert err.count("\n") == 1
        assert err.startswith("switchboard: the idempotency key was already used")
    assert fingerprint_of(cli_desk) == before


def test_a_bad_key_is_one_line_and_changes_nothing(
    cli_desk: Database, capsys: pytest.CaptureFixture[str], fingerprint_of
) -> None:
    before = fingerprint_of(cli_desk)
    for key in ("", "k" * 201, "a\x1bb"):
        code, out, err = run(capsys, *NEW, "--summary", "s", "--idempotency-key", key)
        assert (code, out) == (1, "") and err.count("\n") == 1
        assert "idempotency key" in err and "\x1b" not in err
    assert fingerprint_of(cli_desk) == before


def test_without_a_key_each_run_writes(
    cli_desk: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    start = counts(cli_desk)
    assert run(capsys, *NEW, "--summary", "same")[0] == 0
    assert run(capsys, *NEW, "--summary", "same")[0] == 0
    assert counts(cli_desk)[0] == start[0] + 2


#: CI runs 100; a laptop may lower it (SWITCHBOARD_COMMIT_CUT_ROUNDS=10).
ROUNDS = int(os.environ.get("SWITCHBOARD_COMMIT_CUT_ROUNDS", "100"))


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_writes_cut_at_commit_land_exactly_once(
    desk: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each round cuts one write's COMMIT, in turn before the server gets it (it did not
    land) and after (it landed, the answer is lost). Half the rounds at each point give
    a key, half let the CLI make one. Every write lands once, with one event, and the
    id it prints is the one that landed."""
    database = desk
    url = database.engine.url
    proxy = CommitCutProxy((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(port=proxy.port, query={"sslmode": "disable"})
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", through.render_as_string(False))
    monkeypatch.delenv("SWITCHBOARD_USER", raising=False)
    try:
        start = counts(database)
        tag = uuid.uuid4().hex[:8]
        started = time.monotonic()
        printed: dict[str, int] = {}
        for round_ in range(ROUNDS):
            point = ("before", "after")[round_ % 2]
            summary = f"cut {tag} {round_} {point}"
            key = ["--idempotency-key", f"{tag}-{round_}"] if round_ % 4 < 2 else []
            proxy.arm(point, b"INSERT INTO idempotency_keys")
            code, out, err = run(capsys, *NEW, "--summary", summary, "--as", "lena", *key)
            assert (code, err) == (0, ""), (round_, point, err)
            assert not proxy.armed, f"round {round_}: no COMMIT was cut {point}"
            printed[summary] = int(out)
        elapsed = time.monotonic() - started
        assert proxy.cuts == {"before": (ROUNDS + 1) // 2, "after": ROUNDS // 2}
        with database.session() as session:
            landed = dict(
                session.execute(
                    select(Request.summary, Request.id).where(Request.summary.like(f"cut {tag}%"))
                ).all()
            )
            logged = session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.kind == "request.logged", Event.entity_id.in_(list(landed.values())))
            )
        assert landed == printed  # each once, and the id printed is the one that landed
        assert logged == ROUNDS
        assert counts(database) == (start[0] + ROUNDS, start[1] + ROUNDS, start[2] + ROUNDS)
        print(f"{ROUNDS} rounds cut at COMMIT in {elapsed:.1f} s")
    finally:
        proxy.close()

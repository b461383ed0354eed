"""Someone upgraded the desk database with a newer switchboard: this one refuses at start,
in one line that says what to do, before anything is drawn or written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from console.cli import main
from console.store import schema
from console.store.db import Database
from tests.faults.conftest import assert_one_line_failure, switchboard

AHEAD = "ffff0000aaaa"  # a revision this code has never heard of


@pytest.fixture
def upgraded(
    desk: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    head = schema.head_revision()
    with desk.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": AHEAD})
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", database_url)
    monkeypatch.setenv("SWITCHBOARD_USER", "dora")
    yield desk
    # Back to head: the Postgres database is shared by the session's later tests, and
    # those that take it as it is (tests/security) must not find it "upgraded".
    with desk.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": head})


def refusal() -> str:
    return (
        f"switchboard: database is at revision {AHEAD}, newer than this version of "
        f"switchboard (needs {schema.head_revision()}): upgrade switchboard"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["ticket", "list"],
        ["ticket", "new", "--customer", "Springfield", "--channel", "email", "--summary", "s"],
        ["presence", "set", "dora", "away"],
        ["events"],
        ["report", "coverage"],
        ["db", "upgrade"],
        ["db", "downgrade", "base"],
    ],
    ids=" ".join,
)
def test_commands_refuse_a_newer_schema_in_one_line(
    upgraded: Database, fingerprint_of, capsys, args: list[str]
) -> None:
    before = fingerprint_of(upgraded)
    code = main(args)
    out, err = capsys.readouterr()
    assert (code, out, err) == (1, "", refusal() + "\n")
    assert fingerprint_of(upgraded) == before


def test_db_current_says_to_upgrade_switchboard_not_the_database(
    upgraded: Database, capsys
) -> None:
    assert main(["db", "current"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.endswith(
        f": revision {AHEAD}, this version needs {schema.head_revision()} "
        "(the database is newer: upgrade switchboard)\n"
    ), out


@pytest.mark.parametrize("args", [["console"], []], ids=["console", "bare"])
def test_the_console_refuses_before_it_draws(upgraded: Database, args: list[str]) -> None:
    """In a process of its own, without a terminal: had it started drawing, it would not
    have ended in one line (and would have been cut off by the timeout)."""
    run = switchboard(*args)
    line = assert_one_line_failure(run)
    assert line == refusal()
    assert "\x1b" not in run.err  # not a single escape sequence was drawn

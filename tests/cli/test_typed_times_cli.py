"""Times typed in the CLI as people type them (`HH:MM`, `today 18:00`, `tomorrow 07:00`,
`mon 09:00`), read in the desk zone against the command's clock, and times printed to the
second, never with a fraction."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from console.cli import main
from console.clock import SystemClock
from console.store.db import Database

#: Tuesday 17 November 2026, 10:00:00.123456 in Chicago: the desk is open.
NOW = datetime(2026, 11, 17, 16, 0, 0, 123456, tzinfo=UTC)
FRACTION = re.compile(r"\d\d:\d\d:\d\d\.\d")


@pytest.fixture
def cli_desk(desk: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv(
        "SWITCHBOARD_DATABASE_URL", desk.engine.url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("SWITCHBOARD_USER", "dora")
    monkeypatch.setattr(SystemClock, "now", lambda self: NOW)
    return desk


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert not FRACTION.search(out), out
    return code, out, err


def new(capsys, *extra: str) -> dict:
    code, out, err = run(capsys, "ticket", "new", "--customer", "Springfield",
                         "--channel", "email", "--summary", "s", *extra, "--json")  # fmt: skip
    assert code == 0, err
    return json.loads(out)


def test_a_bare_time_received_is_the_latest_one_not_after_now(cli_desk, capsys) -> None:
    assert new(capsys, "--received", "09:15")["received_at"] == "2026-11-17T09:15:00-06:00"
    # 11:00 has not come yet today: it was yesterday's.
    assert new(capsys, "--received", "11:00")["received_at"] == "2026-11-16T11:00:00-06:00"
    assert new(capsys, "--received", "yesterday 18:30")["received_at"] == (
        "2026-11-16T18:30:00-06:00"
    )
    assert new(capsys, "--received", "mon 08:00")["received_at"] == "2026-11-16T08:00:00-06:00"


def test_work_and_responses_take_clock_times(cli_desk, capsys) -> None:
    request = new(capsys, "--received", "08:30")["id"]
    code, out, err = run(capsys, "ticket", "work", str(request), "--from", "09:00",
                         "--to", "09:45", "--json")  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "ticket", "respond", str(request), "--at", "09:50", "--json")
    assert code == 0, err
    assert json.loads(out)["first_response_at"] == "2026-11-17T09:50:00-06:00"


def test_shifts_ahead_take_day_words(cli_desk, capsys) -> None:
    code, out, err = run(capsys, "roster", "add", "abe", "--duty", "--from", "tomorrow 07:00",
                         "--to", "tomorrow 15:00", "--json")  # fmt: skip
    assert code == 0, err
    shift = json.loads(out)
    assert (shift["starts_at"], shift["ends_at"]) == (
        "2026-11-18T07:00:00-06:00",
        "2026-11-18T15:00:00-06:00",
    )
    code, out, err = run(capsys, "roster", "list", "--from", "today 00:00", "--to", "fri 00:00")
    assert code == 0 and "abe" in out and "2026-11-18T07:00:00-06:00" in out, err
    code, out, _ = run(capsys, "desk", "status", "--at", "sat 10:00")
    assert out.startswith("closed") and "2026-11-23T07:00:00-06:00" in out


def test_now_is_printed_to_the_second(cli_desk, capsys) -> None:
    logged = new(capsys)  # received now: 10:00:00.123456
    assert logged["received_at"] == "2026-11-17T10:00:00-06:00"
    code, out, _ = run(capsys, "ticket", "show", str(logged["id"]))
    assert code == 0 and "10:00:00-06:00" in out
    for args in (["ticket", "list"], ["events"], ["presence", "set", "abe", "away"]):
        code, out, err = run(capsys, *args)
        assert code == 0, err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["ticket", "respond", "1", "--at", "noon"], "--at: cannot read 'noon' as a time"),
        (["ticket", "respond", "1", "--at", "today 24:00"], "is not a time of day"),
        (["roster", "add", "abe", "--duty", "--from", "someday 07:00", "--to", "08:00"],
         "expected HH:MM, 'today 18:00', 'tomorrow 07:00'"),
    ],
)  # fmt: skip
def test_a_time_that_cannot_be_read_is_one_line(
    cli_desk, fingerprint_of, capsys, args, fragment
) -> None:
    before = fingerprint_of(cli_desk)
    code, out, err = run(capsys, *args)
    assert (code, out) == (1, "") and err.count("\n") == 1
    assert fragment in err, err
    assert fingerprint_of(cli_desk) == before

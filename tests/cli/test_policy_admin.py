"""`switchboard policy`: a lead's change reaches every other process through the database;
refusals are one line with nothing written; import carries an old settings file over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main
from console.store.db import Database


@pytest.fixture
def lead_desk(desk: Database, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in list(os.environ):
        if name.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(name)
    url = desk.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", url)
    return url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def switchboard(*args: str) -> subprocess.CompletedProcess[str]:
    """Another process, with no settings file: only the database URL in common."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    return subprocess.run(
        [sys.executable, "-c", "from console.cli import entry; entry()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_leads_closure_reaches_another_process(lead_desk: str, capsys) -> None:
    # Tuesday 1 December 2026, 18:00: due Wednesday 10:00 on the contract's calendar.
    before = switchboard(
        "sla",
        "due",
        "--database",
        lead_desk,
        "--received",
        "2026-12-01T18:00",
        "--channel",
        "email",
    )
    assert before.stdout == "2026-12-02T10:00:00-06:00\n", before.stderr
    code, out, err = run(
        capsys, "policy", "closure", "add", "2026-12-02", "--name", "Ice storm",
        "--reason", "roads closed", "--as", "lena", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["number"] == 1
    after = switchboard(
        "sla",
        "due",
        "--database",
        lead_desk,
        "--received",
        "2026-12-01T18:00",
        "--channel",
        "email",
    )
    assert after.stdout == "2026-12-03T10:00:00-06:00\n", after.stderr
    logged = switchboard(
        "ticket", "new", "--database", lead_desk, "--as", "ari", "--customer", "Springfield",
        "--channel", "email", "--summary", "pothole", "--received", "2026-12-01T18:00", "--json",
    )  # fmt: skip
    assert json.loads(logged.stdout)["due_at"] == "2026-12-03T10:00:00-06:00", logged.stderr
    status = switchboard(
        "desk", "status", "--database", lead_desk, "--at", "2026-12-02T12:00", "--json"
    )
    assert json.loads(status.stdout)["holiday"] == "Ice storm"
    # Without a database: the contract's calendar.
    alone = switchboard("sla", "due", "--received", "2026-12-01T18:00", "--channel", "email")
    assert alone.stdout == "2026-12-02T10:00:00-06:00\n"


LEAD = ["--as", "lena", "--reason", "because"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["warning", "--as", "dora", "--reason", "r", "0.5"], "dora is a dispatcher; changing"),
        (["hours", "set", *LEAD, "monday", "07:00-25:00"], "25:00: not a time of day"),
        (
            ["hours", "set", *LEAD, "monday", "07:00-12:00,11:00-19:00"],
            "07:00-12:00 overlaps 11:00-",
        ),
        (["hours", "set", *LEAD, "someday", "closed"], "not a weekday"),
        (["target", "set", *LEAD, "--", "email", "-5"], "sla.email.target_minutes: -5"),
        (["closure", "add", *LEAD, "2026-02-30"], "cannot read '2026-02-30' as a date"),
        (["rate", "add", *LEAD, "--effective", "2027-01-01", "--hourly", "x"], "not an amount"),
        (["closure", "remove", *LEAD, "2026-12-24"], "there is no closure on 2026-12-24"),
        (["holiday", "remove", *LEAD, "2026-12-23"], "2026-12-23 is not a holiday"),
    ],
)
def test_refusals_are_one_line_and_write_nothing(
    lead_desk: str, desk: Database, capsys, fingerprint_of, args: list[str], message: str
) -> None:
    before = fingerprint_of(desk)
    code, out, err = run(capsys, "policy", *args)
    assert code != 0 and out == ""
    assert err.startswith("switchboard: ") and err.count("\n") == 1
    assert message in err
    assert fingerprint_of(desk) == before


def test_each_change_is_a_version_with_history(lead_desk: str, capsys) -> None:
    changes = [
        ["hours", "set", "saturday", "09:00-12:00,13:00-15:00"],
        ["hours", "date", "2026-12-24", "07:00-12:00"],
        ["target", "set", "portal", "480", "--clock", "business"],
        ["warning", "0.5"],
        ["rate", "add", "--effective", "2027-01-01", "--hourly", "225.50"],
        ["holiday", "remove", "2026-12-25"],
    ]
    for number, change in enumerate(changes, start=1):
        code, out, err = run(capsys, "policy", *change, "--as", "lena", "--reason", f"r{number}")
        assert code == 0, err
        assert out.startswith(f"policy version {number}: ")
    code, out, _ = run(capsys, "policy", "show", "--json")
    shown = json.loads(out)
    doc = shown["document"]
    assert (shown["number"], shown["created_by"], shown["reason"]) == (6, "lena", "r6")
    assert doc["desk"]["saturday"] == "09:00-12:00,13:00-15:00"
    assert doc["dated"] == {"2026-12-24": "07:00-12:00"}
    assert doc["sla"]["portal"] == {"target_minutes": 480, "clock": "business"}
    assert doc["sla"]["warning_fraction"] == 0.5
    assert doc["billing"]["rates"][-1] == {"effective": "2027-01-01", "hourly": "225.50"}
    assert doc["holidays"]["remove"] == ["2026-12-25"]
    code, out, _ = run(capsys, "policy", "history", "--json")
    assert [v["number"] for v in json.loads(out)] == [1, 2, 3, 4, 5, 6]


def test_import_carries_an_old_settings_file_over(lead_desk: str, capsys, tmp_path: Path) -> None:
    old = tmp_path / "desk.toml"
    old.write_text(
        '[desk]\nzone = "America/New_York"\nfriday = "08:00-16:00"\n\n'
        '[holidays]\nadd = { 2026-11-27 = "Day after Thanksgiving" }\n\n'
        "[[billing.rates]]\neffective = 2020-01-01\nhourly = 200.00\n\n"
        "[console]\nbell = false\n"
    )
    code, out, err = run(capsys, "policy", "import", str(old), "--as", "lena", "--reason", "move")
    assert code == 0, err
    code, out, _ = run(capsys, "desk", "status", "--at", "2026-11-27T12:00", "--json")
    assert json.loads(out)["holiday"] == "Day after Thanksgiving"
    code, out, _ = run(capsys, "policy", "show")
    assert "zone America/New_York" in out and "friday     08:00-16:00" in out
    # The same file works without any database too.
    code, out, _ = run(
        capsys, "sla", "due", "--policy", str(old), "--database", "",
        "--received", "2026-11-27T12:00", "--channel", "email",
    )  # fmt: skip
    assert out == "2026-11-30T11:00:00-05:00\n"  # Friday is closed: from Monday 07:00


def test_a_bad_policy_file_is_one_line(lead_desk: str, capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[desk]\nmonday = "07:00-25:00"\n')
    code, _, err = run(capsys, "policy", "import", str(bad), "--as", "lena", "--reason", "x")
    assert code != 0 and err.count("\n") == 1
    assert f"policy file {bad}: desk.monday: 25:00: not a time of day" in err

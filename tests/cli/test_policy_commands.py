"""`switchboard sla due` and `switchboard desk status`, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from console.cli import main


@pytest.fixture(autouse=True)
def default_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)
    monkeypatch.delenv("SWITCHBOARD_DESK__ZONE", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_sla_due_friday_evening(capsys) -> None:
    code, out, _ = run(capsys, "sla", "due", "--received", "2026-11-27T18:00", "--channel", "email")
    assert code == 0
    assert out == "2026-11-30T10:00:00-06:00\n"


def test_sla_due_with_offset_and_json(capsys) -> None:
    code, out, _ = run(
        capsys,
        "sla",
        "due",
        "--received",
        "2026-11-28T00:00:00Z",
        "--channel",
        "voicemail",
        "--json",
    )
    assert code == 0
    # 18:00 Friday CT: same as above.
    assert json.loads(out) == {
        "due": "2026-11-30T10:00:00-06:00",
        "clock": "business",
        "target_minutes": 240,
    }


def test_sla_due_emergency_uses_the_wall_clock(capsys) -> None:
    code, out, _ = run(
        capsys, "sla", "due", "--received", "2026-11-28T23:30", "--channel", "emergency", "--json"
    )
    assert code == 0
    assert json.loads(out) == {
        "due": "2026-11-29T00:30:00-06:00",
        "clock": "wall",
        "target_minutes": 60,
    }


def test_desk_status_on_thanksgiving(capsys) -> None:
    code, out, _ = run(capsys, "desk", "status", "--at", "2026-11-26T10:00")
    assert code == 0
    assert out == "closed (holiday: Thanksgiving Day) until 2026-11-27T07:00:00-06:00\n"
    code, out, _ = run(capsys, "desk", "status", "--at", "2026-11-26T10:00", "--json")
    assert json.loads(out) == {
        "open": False,
        "reason": "holiday",
        "holiday": "Thanksgiving Day",
        "next_change": "2026-11-27T07:00:00-06:00",
    }


def test_desk_status_open_and_weekend(capsys) -> None:
    assert run(capsys, "desk", "status", "--at", "2026-12-10T12:00")[1] == (
        "open until 2026-12-10T19:00:00-06:00\n"
    )
    code, out, _ = run(capsys, "desk", "status", "--at", "2026-12-12T12:00", "--json")
    assert code == 0
    assert json.loads(out)["reason"] == "weekend"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["sla", "due", "--received", "yesterday", "--channel", "email"],
            "cannot read 'yesterday'",
        ),
        (
            ["sla", "due", "--received", "2026-11-27T18:00", "--channel", "fax"],
            "'fax' is not one of",
        ),
        (["sla", "due", "--received", "2026-03-08T02:30", "--channel", "email"], "does not exist"),
        (["sla", "due", "--received", "2026-11-01T01:30", "--channel", "email"], "happens twice"),
        (["sla", "due", "--received", "2026-11-27", "--channel", "email"], "date without a time"),
        (["sla", "due", "--channel", "email"], "Missing option '--received'"),
        (["desk", "status", "--at", "2026-13-01T10:00"], "cannot read"),
        (["--config", "/nonexistent.toml", "desk", "status"], "no such file"),
        (["desk", "stat"], "No such command"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(capsys, args: list[str], fragment: str) -> None:
    code, out, err = run(capsys, *args)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("switchboard: ")
    assert fragment in err
    assert "Traceback" not in err


def test_installed_command_prints_no_traceback() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from console.cli import entry; entry()",
            "sla",
            "due",
            "--received",
            "x",
            "--channel",
            "email",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("switchboard: --received: cannot read 'x'")
    assert "Traceback" not in result.stderr

"""`switchboard demo seed`, `switchboard simulate` and `switchboard demo` through the real
entry point: one summary line on success, one error line and a non-zero status on bad
input. The seed here writes one day of history (the full seed is tested in the store)."""

from __future__ import annotations

import importlib
import socket
import threading
import time
from functools import partial
from pathlib import Path

import pytest

from console.cli import main
from console.store import demo as demo_store
from console.store.db import open_database


@pytest.fixture(autouse=True)
def quick_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_store, "seed", partial(demo_store.seed, history_days=1))
    monkeypatch.delenv("SWITCHBOARD_DATABASE_URL", raising=False)
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def migrated(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str = "desk") -> str:
    url = f"sqlite:///{tmp_path / name}.sqlite3"
    assert run(capsys, "db", "upgrade", "--database", url)[0] == 0
    return url


def test_seed_then_simulate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = migrated(capsys, tmp_path)
    code, out, err = run(capsys, "demo", "seed", "--database", url, "--seed", "4")
    assert (code, err) == (0, [])
    assert len(out) == 1 and out[0].startswith("seeded 12 staff, 30 customers")
    out_first = out
    code, out, err = run(capsys, "demo", "seed", "--database", url)
    assert code == 1 and out == [] and len(err) == 1
    assert "already has staff" in err[0] and "--force" in err[0]
    # --force replaces the demo desk: one copy, never two.
    code, again, err = run(capsys, "demo", "seed", "--database", url, "--seed", "4", "--force")
    assert (code, err, again) == (0, [], out_first)
    code, out, err = run(
        capsys, "simulate", "--database", url, "--duration", "1", "--rate", "600", "--seed", "2"
    )
    assert (code, err) == (0, [])
    assert out[-1].startswith("simulated ") and "0 errors" in out[-1]
    code, out, err = run(capsys, "simulate", "--database", url, "--duration", "0.5", "--quiet")
    assert (code, err, len(out)) == (0, [], 1)


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["simulate", "--rate", "0"], 2, "Invalid value for '--rate'"),
        (["simulate", "--duration", "-1"], 2, "Invalid value for '--duration'"),
        (["demo", "seed", "--seed", "many"], 2, "Invalid value for '--seed'"),
        (["simulate", "--duration", "1"], 1, "has no staff: run `switchboard demo seed` first"),
    ],
)
def test_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    status: int,
    message: str,
) -> None:
    url = migrated(capsys, tmp_path)
    code, out, err = run(capsys, *args, "--database", url)
    assert code == status and out == [] and len(err) == 1
    assert message in err[0]
    assert demo_store.is_empty(open_database(url))


def test_seed_refuses_an_unmigrated_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'blank.sqlite3'}"
    code, out, err = run(capsys, "demo", "seed", "--database", url)
    assert code == 1 and out == [] and len(err) == 1
    assert "run `switchboard db upgrade`" in err[0]


def test_demo_seeds_the_embedded_file_and_opens_the_console_as_the_lead(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    opened: list[tuple[str | None, str | None]] = []
    notes: list[str | None] = []

    def console(
        ctx: object, url: str | None, actor: str | None, help_note=None, **_: object
    ) -> None:
        opened.append((url, actor))
        notes.append(help_note)
        time.sleep(0.5)  # the simulator runs meanwhile

    # `console.cli.demo` the attribute is the click group; the module is in sys.modules.
    monkeypatch.setattr(importlib.import_module("console.cli.demo"), "run_console", console)
    with socket.socket() as probe:  # a free port for the demo's portal
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    code, out, err = run(capsys, "demo", "--rate", "600", "--portal-port", port)
    assert (code, err) == (0, [])
    where = tmp_path / "data" / "switchboard" / "switchboard.sqlite3"
    assert out and out[0].startswith("seeded 12 staff") and out[0].endswith(f"in sqlite:///{where}")
    assert opened == [(None, demo_store.DESK_LEAD)]
    assert where.is_file()
    assert notes[0] and f"http://127.0.0.1:{port}/" in notes[0]
    alive = [t for t in threading.enumerate() if t.name == "switchboard-portal"]
    assert not [t for t in alive if t.is_alive()], "the portal outlived the console"
    alive = [t for t in threading.enumerate() if t.name == "switchboard-simulator"]
    assert not [t for t in alive if t.is_alive()], "the simulator outlived the console"
    # A second start finds the desk there and does not seed again.
    code, out, err = run(capsys, "demo", "--portal-port", "0")
    assert (code, out, err) == (0, [], [])
    assert len(opened) == 2


def test_demo_never_runs_on_a_real_desk(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    url = migrated(capsys, tmp_path)
    added = run(capsys, "staff", "add", "boss", "--name", "The Boss", "--role", "lead",
                "--department", "desk", "--database", url)  # fmt: skip
    assert added[0] == 0
    code, out, err = run(capsys, "demo", "--database", url, "--portal-port", "0")
    assert code == 1 and out == [] and len(err) == 1
    assert "is not a demo desk" in err[0]


@pytest.fixture
def demo_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """The embedded file and the log under `tmp_path`; the console replaced by a stand-in
    that waits while the simulator runs and records how it was opened."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    opened: list[dict[str, object]] = []

    def console(ctx: object, url: str | None, actor: str | None, **more: object) -> None:
        opened.append({"url": url, "actor": actor, **more})
        time.sleep(0.3)

    monkeypatch.setattr(importlib.import_module("console.cli.demo"), "run_console", console)
    return opened


def test_demo_reset_empties_the_demo_desk_and_seeds_it_again(capsys, tmp_path, demo_home):
    code, first, err = run(capsys, "demo", "--rate", "600", "--portal-port", "0")
    assert code == 0, err
    code, again, err = run(capsys, "demo", "--reset", "--as", "bchen", "--portal-port", "0")
    assert code == 0, err
    assert again == first  # the same desk again, not a second copy next to the first
    assert demo_home[-1]["actor"] == "bchen"
    code, out, err = run(capsys, "demo", "--as", "bchn", "--portal-port", "0")
    assert (code, out) == (1, [])
    assert err == ["switchboard: no active staff member with handle 'bchn'; did you mean bchen?"]


def test_a_simulator_crash_is_said_and_logged(capsys, tmp_path, demo_home, monkeypatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the simulator broke\nsecond line")

    monkeypatch.setattr(importlib.import_module("console.store.simulate"), "run", crash)
    code, _out, err = run(capsys, "demo", "--portal-port", "0")
    log = tmp_path / "state" / "switchboard" / "log" / "simulator.log"
    assert code == 1 and len(err) == 1
    assert err[0] == (
        f"switchboard: the simulator stopped: RuntimeError: the simulator broke (details in {log})"
    )
    assert "Traceback" in log.read_text() and "the simulator broke" in log.read_text()
    status = demo_home[-1]["simulator"]
    assert status.stopped and "the simulator broke" in status.problem  # what the console shows


def test_a_failed_step_of_simulate_is_one_line_on_stderr(capsys, tmp_path, monkeypatch) -> None:
    url = migrated(capsys, tmp_path)
    assert run(capsys, "demo", "seed", "--database", url)[0] == 0
    simulate = importlib.import_module("console.store.simulate")

    def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(simulate.Simulator, "_new", broken)
    monkeypatch.setattr(simulate, "OPEN_WEIGHTS", {"new": 1})
    monkeypatch.setattr(simulate, "CLOSED_WEIGHTS", {"new": 1})
    code, out, err = run(capsys, "simulate", "--database", url, "--duration", "0.3",
                         "--rate", "600", "--quiet")  # fmt: skip
    assert code == 0 and out[-1].endswith("errors") and " 0 errors" not in out[-1]
    assert err and set(err) == {"switchboard: simulator step failed: RuntimeError: disk on fire"}

"""A newcomer's install: README.md's Quick start, exactly as written, on a fresh clone.

The committed HEAD of this repository is cloned into a temporary folder; the sh block of
the clone's "## Quick start" section is read (so this test follows the README) and each
command in it runs there with `sh -c`, in the order written, with a fresh XDG_DATA_HOME
and no SWITCHBOARD_*, VIRTUAL_ENV or PYTHONPATH from the outside:

- the command that opens `switchboard demo` runs under a pseudo-terminal
  (TERM=xterm-256color, 120x40) until the console is up and polling, a few seconds more
  with the simulator at work, then `q`: it must exit 0 and leave the demo's SQLite file
  with the requests its seed line announced;
- the command that runs pytest runs as written, except that PYTEST_ADDOPTS selects
  `tests/domain -x`: the whole suite inside the clone would double CI's time. It must pass;
- any other command must exit 0.

The README's commands both create `.venv` in the clone, so the second reuses the first's,
as a newcomer's would. Installs use this machine's pip configuration and cache. Marked
`slow` (deselect locally with `-m "not slow"`); it skips inside the clone's own run
(SWITCHBOARD_NEWCOMER_TEST) and outside a git checkout.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import sqlite3
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GUARD = "SWITCHBOARD_NEWCOMER_TEST"
#: The subset the clone's test command runs (see the module docstring).
TEST_SUBSET = "tests/domain -x"
ROWS, COLUMNS = 40, 120
#: Seconds for the first command's install, then for the console to come up.
INSTALL_TIMEOUT, CONSOLE_TIMEOUT = 180.0, 60.0
#: Seconds the console stays up with the simulator running before `q`; then to exit.
WATCH_SECONDS, QUIT_TIMEOUT = 3.0, 30.0
ANSI = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(os.environ.get(GUARD)), reason="inside a newcomer test already"),
    pytest.mark.skipif(not (REPO / ".git").exists(), reason=f"{REPO} is not a git checkout"),
]


def quick_start(readme: str) -> list[str]:
    """The commands of the sh block in README.md's "## Quick start" section."""
    match = re.search(r"^## Quick start\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert match, 'README.md has no "## Quick start" section'
    block = re.search(r"^```sh\n(.*?)^```", match.group(1), re.M | re.S)
    assert block, "the Quick start section has no sh code block"
    joined = block.group(1).replace("\\\n", " ")  # continuation lines
    return [
        line.strip()
        for line in joined.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def newcomer_environment(data_home: Path) -> dict[str, str]:
    """This machine's environment, less anything that would steer the clone's commands."""
    dropped = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTEST_ADDOPTS", "COLUMNS", "LINES")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith(("SWITCHBOARD_", "TEXTUAL"))
    }
    env |= {"XDG_DATA_HOME": str(data_home), "TERM": "xterm-256color", GUARD: "1"}
    return env


def screen_text(raw: bytes) -> str:
    return ANSI.sub(b"", raw).decode("utf-8", "replace")


def tail(raw: bytes) -> str:
    return screen_text(raw)[-3000:]


def run_console_command(command: str, clone: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run `command` under a pseudo-terminal; quit the console with `q` once it is up."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    process = subprocess.Popen(
        ["sh", "-c", command],
        cwd=clone,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    output = b""
    started = time.monotonic()
    seeded_at: float | None = None  # the install is done and the demo is starting
    up_at: float | None = None
    quit_at: float | None = None
    try:
        while True:
            now = time.monotonic()
            if seeded_at is None and now - started > INSTALL_TIMEOUT:
                pytest.fail(f"no demo after {INSTALL_TIMEOUT:.0f} s:\n{tail(output)}")
            if seeded_at is not None and up_at is None and now - seeded_at > CONSOLE_TIMEOUT:
                pytest.fail(f"no console after {CONSOLE_TIMEOUT:.0f} s:\n{tail(output)}")
            if quit_at is not None and now - quit_at > QUIT_TIMEOUT:
                pytest.fail(f"the console did not quit on q:\n{tail(output)}")
            if select.select([master], [], [], 0.2)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every writer to the terminal has gone
                    chunk = b""
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
            if seeded_at is None and b"seeded " in output:
                seeded_at = time.monotonic()
            # The status line says POLLING once the console's feed reads the SQLite file.
            if seeded_at is not None and up_at is None and b"POLLING" in output:
                up_at = time.monotonic()
            if up_at is not None and quit_at is None and time.monotonic() - up_at > WATCH_SECONDS:
                os.write(master, b"q")
                quit_at = time.monotonic()
        code = process.wait(timeout=QUIT_TIMEOUT)
    finally:
        if process.poll() is None:  # only on a failure above: the process group we started
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(master)
    assert quit_at is not None, f"the command ended before the console was up:\n{tail(output)}"
    return code, screen_text(output)


def test_the_quick_start_works_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "switchboard"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    commands = quick_start((clone / "README.md").read_text(encoding="utf-8"))
    assert any("switchboard demo" in c for c in commands), commands
    assert any("pytest" in c for c in commands), commands
    data_home = tmp_path / "data"
    env = newcomer_environment(data_home)

    for command in commands:
        if "switchboard demo" in command:
            code, screen = run_console_command(command, clone, env)
            assert code == 0, screen[-3000:]
            assert "Traceback" not in screen, screen
            seeded = re.search(r"seeded \d+ staff, .*?(\d+) requests \((\d+) open", screen)
            assert seeded, screen[:3000]
            database = data_home / "switchboard" / "switchboard.sqlite3"
            assert database.is_file()
            with sqlite3.connect(database) as connection:
                requests = connection.execute("SELECT count(*) FROM requests").fetchone()[0]
            # The simulator may have logged a few more while the console was up.
            assert requests >= int(seeded.group(1)) > int(seeded.group(2)) > 0
        elif "pytest" in command:
            result = subprocess.run(
                ["sh", "-c", command],
                cwd=clone,
                env={**env, "PYTEST_ADDOPTS": TEST_SUBSET},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
            assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout[-3000:]
        else:
            result = subprocess.run(
                ["sh", "-c", command],
                cwd=clone,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert result.returncode == 0, f"{command}:\n{result.stdout}{result.stderr}"

"""The embedded SQLite file when it cannot be written: locked by another writer,
read-only, or full. A write fails with one clear line and a non-zero exit, the file
stays intact and unchanged, and a console on it stays up."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from console.cli import main
from console.clock import FrozenClock
from console.store.db import Database, open_database
from console.store.feed import Feed
from console.ui.app import Identity, make_app
from console.ui.screens.dialogs import PickerScreen
from tests.conftest import NOW, fingerprint
from tests.faults.conftest import count_events, queue_rows, requests_with_summary
from tests.ui.conftest import loaded, wait_until

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

#: The busy wait for these tests, through the settings' environment override.
BUSY_TIMEOUT = 0.3
NEW_TICKET = ["ticket", "new", "--customer", "Springfield", "--channel", "email", "--summary"]


def file_of(database: Database) -> Path:
    return Path(make_url(database.engine.url).database or "")


@pytest.fixture
def agent(desk: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The CLI pointed at the desk's file, acting as the agent ari, busy wait shortened."""
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", f"sqlite:///{file_of(desk)}")
    monkeypatch.setenv("SWITCHBOARD_USER", "ari")
    monkeypatch.setenv("SWITCHBOARD_DATABASE__BUSY_TIMEOUT", str(BUSY_TIMEOUT))
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)
    return desk


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code: int, out: str, err: str, *expected: str) -> str:
    assert code != 0 and out == "", (code, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    line = err.rstrip("\n")
    assert line.startswith("switchboard: "), line
    for part in expected:
        assert part in line, line
    for leak in ("Traceback", "[SQL:", "sqlalche.me", "internal error"):
        assert leak not in line, line
    return line


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as check:
        return check.execute("PRAGMA integrity_check").fetchone()[0]


def logged_once(database: Database, summary: str) -> bool:
    ids = requests_with_summary(database, summary)
    return len(ids) == 1 and (
        count_events(database, entity="request", entity_id=ids[0], kind="request.logged") == 1
    )


# -- locked by another writer ------------------------------------------------------------


@SQLITE
@pytest.mark.parametrize("lock", ["IMMEDIATE", "EXCLUSIVE"])
def test_a_write_waits_then_says_database_is_busy_and_changes_nothing(
    agent: Database, capsys, fingerprint_of, lock: str
) -> None:
    path = file_of(agent)
    before = fingerprint_of(agent)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute(f"BEGIN {lock}")
        other.execute("UPDATE staff SET name = name || ' (being edited)'")  # not committed
        started = time.monotonic()
        failed = cli(capsys, *NEW_TICKET, "Printer on fire")
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    line = one_line(*failed, "database is busy")
    assert line == (
        f"switchboard: database is busy: another program is writing to sqlite:///{path}; try again"
    )
    assert waited >= BUSY_TIMEOUT  # it waited its turn first
    assert integrity(path) == "ok"
    assert fingerprint_of(agent) == before
    # Once the other writer is done, the same command lands, once.
    code, out, err = cli(capsys, *NEW_TICKET, "Printer on fire")
    assert (code, err) == (0, "") and out.strip().isdigit(), err
    assert logged_once(agent, "Printer on fire")


def test_the_busy_wait_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from console.settings import load_settings

    assert load_settings().database.busy_timeout == 10.0
    config = tmp_path / "desk.toml"
    config.write_text("[database]\nbusy_timeout = 2.5\n")
    assert load_settings(config).database.busy_timeout == 2.5
    # The short form of the URL does not drop the other database settings.
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", "sqlite:///x.sqlite3")
    monkeypatch.setenv("SWITCHBOARD_DATABASE__BUSY_TIMEOUT", "0.5")
    settings = load_settings(config)
    assert (settings.database.url, settings.database.busy_timeout) == ("sqlite:///x.sqlite3", 0.5)


# -- read-only ---------------------------------------------------------------------------


class ReadOnly:
    """The desk's file, or its folder, made read-only: mode 0444 (0555 for the folder),
    and immutable when we run as root, who writes through file modes."""

    def __init__(self, file: Path, what: str) -> None:
        self.file = file
        self.target = file if what == "file" else file.parent
        self.mode = self.target.stat().st_mode & 0o777
        self.immutable = False
        self.before: dict = {}

    def start(self) -> None:
        self.target.chmod(0o444 if self.target == self.file else 0o555)
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(self.target)], capture_output=True)
            if done.returncode != 0:
                pytest.skip(f"running as root and cannot make {self.target} immutable")
            self.immutable = True

    def restore(self) -> None:
        if self.immutable:
            subprocess.run(["chattr", "-i", str(self.target)], check=True)
            self.immutable = False
        self.target.chmod(self.mode)


@pytest.fixture(params=["file"])
def read_only(desk: Database, request: pytest.FixtureRequest) -> Iterator[ReadOnly]:
    made = ReadOnly(file_of(desk), request.param)
    made.before = fingerprint(desk)
    desk.dispose()  # the last connection checkpoints: no write-ahead log left behind
    try:
        made.start()
        yield made
    finally:
        made.restore()


@SQLITE
@pytest.mark.parametrize("read_only", ["file", "folder"], indirect=True)
def test_a_write_to_a_read_only_file_fails_in_one_line_and_changes_nothing(
    agent: Database, read_only: ReadOnly, capsys, fingerprint_of
) -> None:
    folder = read_only.target != read_only.file
    one_line(*cli(capsys, *NEW_TICKET, "Printer on fire"), "cannot open" if folder else "read-only")
    one_line(*cli(capsys, "presence", "set", "ari", "away"))
    if not folder:  # (SQLite cannot even read where it may not add its -shm file)
        code, _, err = cli(capsys, "ticket", "list")
        assert (code, err) == (0, ""), err
    read_only.restore()
    assert integrity(read_only.file) == "ok"
    assert fingerprint_of(agent) == read_only.before


@SQLITE
def test_a_console_on_a_read_only_file_stays_up_and_says_why_an_action_failed(
    queue_desk: Database, read_only: ReadOnly, settings, fingerprint_of
) -> None:
    url = f"sqlite:///{read_only.file}"
    console_db = open_database(url)
    clock = FrozenClock(NOW)
    feed = Feed(url, clock=clock, poll_interval=0.05)
    app = make_app(settings, console_db, clock, Identity("dora"), feed=feed)

    async def scenario() -> None:
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)  # reads work
            shown = queue_rows(app)
            assert shown
            await pilot.press("down", "a")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
            await pilot.press(*"ab", "enter")
            await wait_until(pilot, lambda: _notified(app, "Not done"))
            (note,) = [n for n in app._notifications if n.title == "Not done"]
            assert "read-only" in note.message and "\n" not in note.message, note.message
            assert not _notified(app, "Internal error")
            assert queue_rows(app) == shown
            await pilot.press("down")  # still answers keys
            assert app.is_running

    try:
        asyncio.run(scenario())
    finally:
        console_db.dispose()
    read_only.restore()
    assert fingerprint_of(queue_desk) == read_only.before


def _notified(app, title: str) -> bool:  # type: ignore[no-untyped-def]
    return any(n.title == title for n in app._notifications)


# -- full --------------------------------------------------------------------------------


@contextmanager
def full_disk() -> Iterator[None]:
    """Every SQLite connection opened meanwhile may not grow its file by a single page:
    SQLite's own size limit (`max_page_count`), which fails a write with SQLITE_FULL, the
    very error a full disk gives (a real full disk, a small mounted file system, needs
    privileges a test run may not have)."""

    def _no_room(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        if isinstance(dbapi_connection, sqlite3.Connection):
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(Engine, "connect", _no_room)
    try:
        yield
    finally:
        event.remove(Engine, "connect", _no_room)


@SQLITE
def test_a_write_to_a_full_disk_fails_in_one_line_and_changes_nothing(
    agent: Database, capsys, fingerprint_of
) -> None:
    path = file_of(agent)
    code, out, _ = cli(capsys, *NEW_TICKET, "Printer on fire")
    assert code == 0
    request = out.strip()
    # An event holding a 4,000-character note is longer than a page can hold in place:
    # it needs an overflow page, and with no free page in the file, a new one.
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    work = ["ticket", "work", request, "--from", hour_ago.isoformat()]
    work += ["--to", (hour_ago + timedelta(minutes=30)).isoformat(), "--note", "n" * 4000]
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA freelist_count").fetchone()[0] == 0
    before = fingerprint_of(agent)
    with full_disk():
        one_line(*cli(capsys, *work), "disk is full")
    assert integrity(path) == "ok"
    assert fingerprint_of(agent) == before
    code, _, err = cli(capsys, *work)  # room again: it lands, once
    assert (code, err) == (0, ""), err
    assert count_events(agent, kind="work.logged") == 1

"""A pager killed with SIGKILL in the middle of a send, then restarted: nothing is lost,
and only the message that was in flight goes out a second time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from console.store import commands
from console.store.commands import Rules
from console.store.db import Database
from console.store.models_paging import Outbox
from tests.paging.servers import SmtpSink, wait_for


def _pager(database: Database, config: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"SWITCHBOARD_DATABASE_URL": database.url, "SWITCHBOARD_CONFIG": str(config)}
    return subprocess.Popen(
        [sys.executable, "-c", "from console.cli import entry; entry()", "pager"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _sent(database: Database) -> int:
    with database.reading() as s:
        return s.scalar(select(func.count()).where(Outbox.state == "sent"))


def test_a_pager_killed_mid_send_repeats_at_most_the_message_in_flight(
    night_desk: Database, smtp: SmtpSink, tmp_path: Path
) -> None:
    config = tmp_path / "pager.toml"
    config.write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n'
        "[pager]\nlease_seconds = 1.0\npoll_interval = 0.2\n"
    )
    now = datetime.now(UTC)  # the pager runs on the real clock
    with night_desk.session() as s:
        for n in range(3):
            commands.log_request(
                s,
                "dora",
                now,
                Rules.defaults(),
                channel="call",
                customer="Springfield",
                summary=f"down {n}",
                contact="Mayor Quimby",
                emergency=True,
            )
    with night_desk.reading() as s:
        queued = s.scalar(select(func.count()).select_from(Outbox))
    assert queued >= 3
    smtp.hold_data()  # the first message reaches the server, whose answer never comes
    first = _pager(night_desk, config)
    try:
        wait_for(lambda: smtp.arrived, what="the first message in flight")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    smtp.release()
    in_flight = str(smtp.arrived[0]["Message-ID"])
    second = _pager(night_desk, config)
    try:
        wait_for(lambda: _sent(night_desk) == queued, timeout=60, what="every message sent")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    assert second.returncode == 0
    counts = Counter(str(m["Message-ID"]) for m in smtp.arrived)
    assert len(counts) == queued  # nothing lost
    assert {mid for mid, n in counts.items() if n > 1} == {in_flight}  # it, and only it, twice
    assert counts[in_flight] == 2

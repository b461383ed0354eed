"""Fixtures of the pager's tests: loopback SMTP and JSON sinks, a desk whose people can be
paged, and a pager with a frozen clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.cli import main
from console.clock import Clock, FrozenClock
from console.outbox.sender import Sender
from console.outbox.transports import AppriseTransport, SmtpTransport
from console.paging.pager import Pager
from console.settings import MailSettings
from console.store import commands
from console.store.commands import Rules
from console.store.db import Database
from tests.paging.servers import JsonSink, SmtpSink

#: Thursday 3 December 2026, 03:10 in Chicago: the desk is closed.
NIGHT = datetime(2026, 12, 3, 9, 10, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    yield sink
    sink.close()


@pytest.fixture
def webhook() -> Iterator[JsonSink]:
    sink = JsonSink()
    yield sink
    sink.close()


def mail_settings(port: int) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security="none", from_address="desk@x.test")


def make_pager(database: Database, clock: FrozenClock, port: int, **options: object) -> Pager:
    sender = Sender(
        database,
        clock,
        {"email": SmtpTransport(mail_settings(port)), "apprise": AppriseTransport()},
        lease=timedelta(seconds=60),
        max_attempts=int(options.get("max_attempts", 4)),  # type: ignore[arg-type]
        retry_base=timedelta(seconds=30),
        retry_cap=timedelta(minutes=10),
    )
    return Pager(database, clock, sender, poll=0.2)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NIGHT)


@pytest.fixture
def night_desk(desk: Database, webhook: JsonSink) -> Database:
    """The shared `desk` with contacts for paging and an on-call rota around NIGHT:
    ari on call until 07:00 local, abe after; lena (desk lead) by e-mail only."""
    with desk.session() as s:
        at = NIGHT - timedelta(days=1)
        commands.add_contact(
            s,
            "lena",
            at,
            customer="Springfield",
            name="Ms Hoover",
            phone="555-0142",
            designated=True,
        )
        commands.set_staff_contact(
            s, "lena", at, handle="ari", email="ari@x.test", notify=[webhook.url]
        )
        commands.set_staff_contact(s, "lena", at, handle="abe", email="abe@x.test", notify=[])
        commands.set_staff_contact(s, "lena", at, handle="lena", email="lena@x.test", notify=[])
        commands.add_shift(
            s,
            "lena",
            at,
            staff="ari",
            kind="on-call",
            starts_at=NIGHT - timedelta(hours=12),
            ends_at=NIGHT + timedelta(hours=3, minutes=50),
        )
        commands.add_shift(
            s,
            "lena",
            at,
            staff="abe",
            kind="on-call",
            starts_at=NIGHT + timedelta(hours=14, minutes=50),
            ends_at=NIGHT + timedelta(days=1),
        )
    return desk


@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    """Paging logic runs on SQLite; what is Postgres's own (SKIP LOCKED) has its module."""
    import shutil

    path = tmp_path / "switchboard.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def cli_desk(desk: Database, monkeypatch: pytest.MonkeyPatch, smtp: SmtpSink, tmp_path: Path):
    """The desk for the command line: no SWITCHBOARD_ variable of the caller's, and a
    settings file whose `[mail]` points at the loopback SMTP sink."""
    for name in list(os.environ):
        if name.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(name)
    config = tmp_path / "me.toml"
    config.write_text(f'[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\n')
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", desk.url)
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(config))
    return desk


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`switchboard ARGS...` in process: (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def log_emergency(
    database: Database,
    clock: Clock,
    *,
    contact: str = "Mayor Quimby",
    summary: str = "the website is down",
) -> int:
    """A phoned-in emergency at Springfield, logged by dora (it pages): its request id."""
    with database.session() as s:
        return commands.log_request(
            s,
            "dora",
            clock.now(),
            Rules.defaults(),
            channel="call",
            customer="Springfield",
            summary=summary,
            contact=contact,
            emergency=True,
        ).id

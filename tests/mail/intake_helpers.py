"""What the intake tests share: a desk that knows some senders, and piping bytes in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from console.mail.intake import take_in
from console.settings import IntakeSettings
from console.store import commands
from console.store.commands.intake import IntakeResult
from console.store.db import Database
from console.store.models import Event, Request
from tests.mail.conftest import raw

#: Wednesday 2 December 2026, 10:00 in Chicago: the desk is open.
NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
SETTINGS = IntakeSettings()


def mail_desk(database: Database) -> Database:
    """`desk` plus senders: Springfield owns springfield.example, Dana Miller writes
    from dmiller@springfield.example (typed with capitals), and Mayor Quimby has the
    voicemail fixture's number."""
    with database.session() as session:
        commands.add_mail_domain(
            session, "lena", NOW, customer="Springfield", domain="Springfield.example"
        )
    with database.session() as session:
        commands.add_contact(
            session,
            "lena",
            NOW,
            customer="Springfield",
            name="Dana Miller",
            email="DMiller@Springfield.example",
            phone="+1 555 010 0199",
        )
    with database.session() as session:
        commands.add_contact(
            session,
            "lena",
            NOW,
            customer="Shelbyville",
            name="Chris Wu",
            email="chris.wu@shelbyville.example",
        )
    return database


def pipe(
    database: Database,
    data: bytes | str,
    now: datetime = NOW,
    settings: IntakeSettings = SETTINGS,
) -> IntakeResult:
    """One message through intake, as the MTA pipe delivers it (bytes or a fixture name)."""
    message = raw(data) if isinstance(data, str) else data
    return take_in(database, message, now=now, service="intake", settings=settings)


def request(database: Database, request_id: int) -> Request:
    with database.reading() as session:
        row = session.get(Request, request_id)
        assert row is not None
        session.expunge(row)
        return row


def events(database: Database) -> list[Event]:
    with database.reading() as session:
        rows = list(session.scalars(select(Event).order_by(Event.id)))
        session.expunge_all()
        return rows


def message(
    sender: str,
    subject: str,
    *,
    message_id: str | None = None,
    body: str = "Hello desk,\nthe site is broken.\n",
    extra: str = "",
    received: str = "Wed, 02 Dec 2026 15:30:00 +0000",
) -> bytes:
    """A plain message as our MTA hands it over (with its Received header on top)."""
    lines = [
        f"Received: from mx.example by mail.switchboard.example; {received}",
        f"From: {sender}",
        "To: help@switchboard.example",
        f"Subject: {subject}",
        "Date: Wed, 02 Dec 2026 15:29:00 +0000",
    ]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    lines += [h for h in extra.split("\n") if h]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body]
    return "\r\n".join(lines).encode()

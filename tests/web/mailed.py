"""Helpers for the portal's mailed-link tests: a real SMTP sink, the outbox sent through
it by the real sender, and the link read back out of the mail."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import Message

from sqlalchemy import select

from console.clock import Clock
from console.outbox.sender import Sender
from console.outbox.transports import SmtpTransport
from console.settings import MailSettings
from console.store.db import Database
from console.store.models_paging import Outbox
from tests.paging.servers import SmtpSink

BASE_URL = "https://portal.example.test"


def send_outbox(database: Database, clock: Clock, smtp: SmtpSink) -> None:
    settings = MailSettings(
        host="127.0.0.1", port=smtp.port, security="none", from_address="desk@x.test"
    )
    Sender(
        database,
        clock,
        {"email": SmtpTransport(settings)},
        lease=timedelta(seconds=60),
        max_attempts=3,
        retry_base=timedelta(seconds=30),
        retry_cap=timedelta(minutes=10),
        portal_url=BASE_URL,
    ).send_due()


def mails_to(smtp: SmtpSink, address: str) -> list[str]:
    with smtp.lock:
        return [_text(m) for m in smtp.messages if m["To"] == address]


def outbox_forgot(database: Database, link: str) -> bool:
    """The sent mail's link token is in no outbox row any more (only in the mail)."""
    token = link.rsplit("/", 1)[1]
    with database.reading() as s:
        bodies = s.scalars(select(Outbox.body)).all()
    return bool(bodies) and all(token not in body for body in bodies)


def link_in(body: str, kind: str) -> str:
    """The path of the `/kind/TOKEN` link in a mail body (checked to start at BASE_URL)."""
    found = re.search(re.escape(BASE_URL) + rf"(/{kind}/[A-Za-z0-9_-]+)", body)
    assert found, f"no /{kind}/ link in {body!r}"
    return found.group(1)


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")

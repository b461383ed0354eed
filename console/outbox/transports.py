"""How a message leaves: e-mail through SMTP (the standard library), anything else through
Apprise (SMS gateways, Slack, Teams, Matrix, ntfy, Pushover, a JSON webhook, ...).

A transport's `send` either returns (the message was handed over) or raises `SendError`
with one line saying why; the sender decides about retries. Nothing here touches the
database.
"""

from __future__ import annotations

import mailbox
import os
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

from console.settings import MailSettings
from console.store.outbox import Claimed


class SendError(Exception):
    """A message that did not leave; the text is one line."""


class Transport(Protocol):
    def send(self, message: Claimed, now: datetime) -> None: ...


def build_email(message: Claimed, sender: str, now: datetime) -> EmailMessage:
    """The message as RFC 5322 mail (headers from the outbox row, a Date from `now`)."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(now)
    headers: dict[str, Any] = dict(message.headers or {})
    if "Message-ID" not in headers:
        headers["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # Every mail the desk sends says so: its echo (a bounce, a loop) is never filed.
    headers.setdefault("X-Switchboard-Outgoing", "yes")
    for name, value in headers.items():
        mail[name] = str(value)
    mail.set_content(message.body)
    return mail


class SmtpTransport:
    """One SMTP connection per message: nothing to go stale between pages hours apart."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.password = os.environ.get(settings.password_env) if settings.user else None
        if settings.user and self.password is None:
            raise SendError(
                f"[mail] user is {settings.user!r} but ${settings.password_env} is not set"
            )

    def send(self, message: Claimed, now: datetime) -> None:
        s = self.settings
        mail = build_email(message, s.from_address, now)
        try:
            if s.security == "tls":
                context = ssl.create_default_context()
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=context
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            with client:
                if s.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.user:
                    client.login(s.user, self.password or "")
                refused = client.send_message(mail)
            if refused:
                raise SendError(f"SMTP refused {', '.join(refused)}")
        except (smtplib.SMTPException, OSError) as exc:
            text = " ".join(str(exc).split()) or type(exc).__name__
            if self.password:
                text = text.replace(self.password, "***")
            raise SendError(f"SMTP {s.host}:{s.port}: {type(exc).__name__}: {text}") from None


class MaildirTransport:
    """E-mail filed into a local Maildir instead of sent: the demo's mail sink."""

    def __init__(self, path: Path, sender: str) -> None:
        self.path, self.sender = path, sender

    def send(self, message: Claimed, now: datetime) -> None:
        try:
            mailbox.Maildir(self.path, create=True).add(build_email(message, self.sender, now))
        except OSError as exc:
            raise SendError(f"maildir {self.path}: {exc.strerror or exc}") from None


class AppriseTransport:
    """Any Apprise URL; Apprise itself knows the services."""

    def send(self, message: Claimed, now: datetime) -> None:
        import apprise

        target = apprise.Apprise()
        scheme = message.recipient.split("://")[0]
        if not target.add(message.recipient):
            raise SendError(f"apprise: {scheme}:// is not a usable Apprise URL")
        if not target.notify(title=message.subject, body=message.body):
            raise SendError(f"apprise: the {scheme}:// target did not take the message")


def transports(mail: MailSettings, maildir: Path | None = None) -> dict[str, Transport]:
    """SMTP (or, given `maildir`, that local mailbox) for e-mail; Apprise for the rest."""
    email: Transport = (
        MaildirTransport(maildir, mail.from_address) if maildir else SmtpTransport(mail)
    )
    return {"email": email, "apprise": AppriseTransport()}

"""Mail intake, the service: raw bytes from the MTA (or IMAP) in, one outcome out.

Why: the contract's clocks start when a customer's e-mail or voicemail arrives, so a mail
must become a request by itself, exactly once, whatever the mail server does (it retries
after a timeout, delivers twice, hands over garbage). This module joins the pure reading
(`console.mail.parsing`) to the write path (`console.store.commands.intake`).

What: `take_in` reads the message and files it in one transaction as `new`, `reply`,
`duplicate` or `ignored`; bytes that are no message, too large, or that the store refuses
(a bug of ours, say) are kept whole in quarantine. `retry` runs a quarantined message
again and releases it in the same transaction that files it.

How it fails: a database that is unreachable, busy or at another revision raises
`console.store.errors.DatabaseFailure` / `SchemaMismatch` (or SQLAlchemy's
`OperationalError` when it fails before a command starts) with nothing written; the
caller says so and the MTA keeps the message and delivers it again (exit 75). A
connection lost during COMMIT is retried here: the message key makes the retry file the
message once or find it already filed (`duplicate`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from console.domain.sla import Channel
from console.mail.parsing import Incoming, Unreadable, read_message
from console.settings import IntakeSettings
from console.store.commands.base import Rules
from console.store.commands.intake import AttachmentIn, IntakeResult, MailIn, ingest_mail
from console.store.commands.quarantine import held_message, quarantine_mail
from console.store.db import Database
from console.store.errors import DatabaseFailure, StoreError
from console.store.idempotency import retrying

MB = 1024 * 1024


def mail_in(message: Incoming, via: str) -> MailIn:
    """What the store files, from a message read by the parser."""
    voicemail = message.voicemail
    attachments = tuple(
        AttachmentIn(a.filename, a.content_type, a.size, a.sha256, a.data, a.refused)
        for a in message.attachments
    )
    if voicemail is None:
        return MailIn(
            message_key=message.message_id,
            sender=message.sender.address,
            sender_name=message.sender.name,
            subject=message.subject,
            body=message.text,
            received_at=message.received_at,
            in_reply_to=message.in_reply_to,
            references=message.references,
            thread_index=message.thread_index,
            subject_token=message.subject_token,
            auto=message.auto,
            attachments=attachments,
            via=via,
        )
    caller = voicemail.caller_name or voicemail.caller_number or "an unknown caller"
    if voicemail.caller_name and voicemail.caller_number:
        caller = f"{voicemail.caller_name} ({voicemail.caller_number})"
    length = f", {_duration(voicemail.duration)}" if voicemail.duration else ""
    return MailIn(
        message_key=message.message_id,
        sender=message.sender.address,
        sender_name=message.sender.name,
        subject=message.subject,
        body=message.text,
        # When the message was left, not when the PBX got round to mailing it.
        received_at=min(voicemail.left_at, message.received_at),
        channel=Channel.VOICEMAIL.value,
        auto=None,  # the PBX's own mail: a caller left it, it is no auto-reply
        caller_digits=voicemail.caller_number,
        summary=f"Voicemail from {caller}{length}",
        attachments=attachments,
        via=via,
    )


def _duration(length: timedelta) -> str:
    seconds = int(length.total_seconds())
    return f"{seconds // 60}:{seconds % 60:02d}"


def take_in(
    database: Database,
    raw: bytes,
    *,
    now: datetime,
    service: str,
    settings: IntakeSettings,
    via: str = "pipe",
    received_fallback: datetime | None = None,
    release: int | None = None,
) -> IntakeResult:
    """File one message (see the module docstring); raises only `DatabaseFailure` and
    SQLAlchemy's database errors, with nothing written."""
    limit = int(settings.max_message_mb * MB)
    if len(raw) > limit:
        size, most = len(raw) / MB, settings.max_message_mb
        reason = f"message of {size:.1f} MB is over the {most:g} MB limit"
        return quarantine(database, raw, now, service, reason, via)
    parsed = read_message(
        raw,
        received_fallback=received_fallback or now,
        attachment_limit=int(settings.attachment_limit_mb * MB),
    )
    if isinstance(parsed, Unreadable):
        return quarantine(database, raw, now, service, parsed.reason, via)
    mail = mail_in(parsed, via)

    def attempt() -> IntakeResult:
        with database.session() as session:
            return ingest_mail(
                session,
                service,
                now,
                Rules.read(session),
                mail=mail,
                reopen_within=timedelta(days=settings.reopen_days),
                release=release,
                acknowledge=settings.acknowledge,
            )

    try:
        return retrying(attempt)
    except DatabaseFailure:
        raise
    except StoreError as exc:
        if release is not None:
            raise
        return quarantine(database, raw, now, service, f"could not be filed: {exc}", via)


def quarantine(
    database: Database, raw: bytes, now: datetime, service: str, reason: str, via: str
) -> IntakeResult:
    """Keep `raw` whole in quarantine with `reason` (held once per distinct bytes)."""

    def attempt() -> IntakeResult:
        with database.session() as session:
            return quarantine_mail(session, service, now, raw=raw, reason=reason, via=via)

    return retrying(attempt)


def retry(
    database: Database, quarantine_id: int, *, now: datetime, service: str, settings: IntakeSettings
) -> IntakeResult:
    """Run a quarantined message again; filed, it is released in the same transaction.

    Raises `NotFound` / `InvalidState` for an unknown or already released one.
    """
    with database.reading() as session:
        row = held_message(session, quarantine_id)
        raw, received, via = bytes(row.raw), row.received_at, row.via
    return take_in(
        database,
        raw,
        now=now,
        service=service,
        settings=settings,
        via=via,
        received_fallback=received,
        release=quarantine_id,
    )

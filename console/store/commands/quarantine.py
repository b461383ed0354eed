"""Mail intake's quarantine: bytes that could not be filed, kept whole until a retry.

The same bytes delivered again are held once (a unique SHA-256), counting attempts; a
retry that files the message releases it in the filing's own transaction
(`ingest_mail(..., release=ID)`), so a message is never both filed and held.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.store import audit
from console.store.commands.base import command, save
from console.store.commands.intake_types import IntakeResult
from console.store.dml import insert_for
from console.store.errors import InvalidState, NotFound
from console.store.models_mail import MailQuarantine


@command
def quarantine_mail(
    session: Session,
    service: str,
    now: datetime,
    *,
    raw: bytes,
    reason: str,
    via: str = "pipe",
) -> IntakeResult:
    """Keep bytes intake could not file, whole; the same bytes again are held once."""
    digest = hashlib.sha256(raw).hexdigest()
    table = MailQuarantine.__table__
    statement = (
        insert_for(session, table)
        .values(
            sha256=digest,
            raw=raw,
            size=len(raw),
            reason=reason[:1000],
            received_at=now,
            via=via[:10],
            status="held",
            attempts=1,
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(table.c.id)
    )
    held_id = session.connection().execute(statement).scalar()
    kind = "mail_quarantine.held"
    if held_id is None:
        row = session.scalars(select(MailQuarantine).where(MailQuarantine.sha256 == digest)).one()
        held_id, kind = row.id, "mail_quarantine.again"
        row.attempts += 1
        row.reason = reason[:1000]
        save(session)
    audit.record(
        session,
        actor=service,
        at=now,
        kind=kind,
        entity="mail_quarantine",
        entity_id=held_id,
        before=None,
        after={"sha256": digest, "size": len(raw), "reason": reason[:1000], "via": via},
    )
    return IntakeResult("quarantined", None, f"{reason} (quarantine {held_id})", held_id)


def held_message(session: Session, quarantine_id: int) -> MailQuarantine:
    """A quarantined message still held, or `NotFound` / `InvalidState`."""
    row = session.get(MailQuarantine, quarantine_id) if 0 < quarantine_id < 2**31 else None
    if row is None:
        raise NotFound(f"no quarantined message {quarantine_id}")
    if row.status != "held":
        raise InvalidState(
            f"quarantined message {quarantine_id} was already released ({row.outcome})"
        )
    return row


def held_for_release(session: Session, quarantine_id: int) -> MailQuarantine:
    """The held row, locked on Postgres so two retries at once release it once."""
    row = held_message(session, quarantine_id)
    if session.get_bind().dialect.name == "postgresql":  # two retries at once: one wins
        session.execute(
            select(MailQuarantine.id).where(MailQuarantine.id == row.id).with_for_update()
        )
        session.refresh(row)
        if row.status != "held":
            raise InvalidState(f"quarantined message {quarantine_id} was already released")
    return row


def release_held(
    session: Session, service: str, now: datetime, row: MailQuarantine, result: IntakeResult
) -> None:
    row.status, row.released_at = "released", now
    row.outcome = f"{result.outcome}: {result.reason}"[:1000]
    save(session)
    audit.record(
        session,
        actor=service,
        at=now,
        kind="mail_quarantine.released",
        entity="mail_quarantine",
        entity_id=row.id,
        before={"status": "held"},
        after={"status": "released", "outcome": row.outcome},
    )


def held_count(session: Session) -> int:
    """How many quarantined messages wait (for `doctor` and the console's top line)."""
    query = select(func.count()).select_from(MailQuarantine).where(MailQuarantine.status == "held")
    return int(session.scalar(query) or 0)

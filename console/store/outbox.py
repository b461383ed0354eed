"""The outbox: every message the desk sends is a row first, written with its cause.

Why: a page must leave once its emergency is committed, and never if the emergency's
transaction rolled back; a sender killed at any moment must lose nothing. So a store
command that causes a message calls `enqueue` inside its own transaction (the row commits
with the event, or neither does), and a sender (`console.outbox.sender`) works the table.

How a row moves: `queued` -> `sending` (claimed under a lease) -> `sent`; a failed attempt
goes back to `queued` with `next_attempt_at` moved by exponential backoff, or to `failed`
once `attempts` reaches the limit; `cancelled` when what it was about no longer needs it
(an acknowledged page) before a sender claimed it.

Claiming (`claim`) is one short transaction: on Postgres the due rows are picked with
`FOR UPDATE SKIP LOCKED`, so several senders never take the same row, and marked
`sending` with `lease_owner` and `lease_expires_at`. A sender that dies while holding a
row leaves it `sending`; once the lease has expired any sender claims it again. On SQLite
the claim is one UPDATE under the database's single write lock, so two senders cannot
take the same row either (one sender at a time is the supported set-up there).

The guarantee, precisely: every row committed is sent, unless it fails `max_attempts`
times (then `failed`, with the last error) or is cancelled first. A row is repeated only
when a sender is killed (or loses its database connection) after handing the message to
the server and before its `mark_sent` commits: then the row is retried after its lease,
so **at most the message(s) that sender had in flight** (one: a sender sends one message
at a time) go out twice. A claim that finds its lease taken over (`mark_*` matching no
row) changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from console.domain.paging import retry_delay
from console.store.dml import rows_matched
from console.store.models_paging import Outbox

CHANNELS = ("email", "apprise")
#: How long an error text is kept.
ERROR_LIMIT = 1000


def enqueue(
    session: Session,
    now: datetime,
    *,
    channel: str,
    recipient: str,
    label: str,
    purpose: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    request_id: int | None = None,
    page_id: int | None = None,
) -> Outbox:
    """Add one message to the caller's transaction (it commits or rolls back with it)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    row = Outbox(
        channel=channel,
        recipient=recipient,
        label=label[:64],
        purpose=purpose,
        subject=subject,
        body=body,
        headers=dict(headers or {}),
        request_id=request_id,
        page_id=page_id,
        state="queued",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class Claimed:
    """A message a sender holds under its lease."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    headers: dict[str, Any]
    attempts: int
    created_at: datetime


_T = Outbox.__table__.c


def claim(
    session: Session, owner: str, now: datetime, lease: timedelta, limit: int = 1
) -> list[Claimed]:
    """Take up to `limit` due rows (queued and due, or sending with an expired lease) and
    commit the claim. Oldest first."""
    due = or_(
        and_(_T.state == "queued", _T.next_attempt_at <= now),
        and_(_T.state == "sending", _T.lease_expires_at <= now),
    )
    pick = select(_T.id).where(due).order_by(_T.next_attempt_at, _T.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        # A CTE, evaluated once: `id IN (SELECT ... SKIP LOCKED LIMIT n)` may be re-run by
        # the plan and take more rows than asked for.
        picked = pick.with_for_update(skip_locked=True).cte("picked")
        chosen = _T.id == picked.c.id
    else:  # one writer at a time: the subquery sees what the UPDATE sees
        chosen = _T.id.in_(pick.scalar_subquery())
    statement = (
        update(Outbox.__table__)
        .where(chosen, due)
        .values(
            state="sending",
            lease_owner=owner,
            lease_expires_at=now + lease,
            attempts=_T.attempts + 1,
        )
        .returning(
            _T.id,
            _T.channel,
            _T.recipient,
            _T.subject,
            _T.body,
            _T.headers,
            _T.attempts,
            _T.created_at,
        )
    )
    try:
        rows = [Claimed(*row) for row in session.execute(statement)]
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return sorted(rows, key=lambda c: c.id)


def _mine(row_id: int, owner: str) -> Any:
    return and_(_T.id == row_id, _T.state == "sending", _T.lease_owner == owner)


#: A single-use link's token in a body (password reset, invitation, page acknowledgement).
LINK_TOKEN = re.compile(r"(/(?:reset|ack)/)[A-Za-z0-9_-]{20,}")


def without_link_tokens(body: str) -> str:
    """`body` with each single-use link's token replaced: kept once the mail is sent, so a
    desk login reading the outbox cannot use a customer's reset link."""
    return LINK_TOKEN.sub(r"\1(removed once sent)", body)


def mark_sent(session: Session, row_id: int, owner: str, now: datetime) -> bool:
    """Record a delivery; False when the lease was lost to another sender meanwhile.
    The tokens of any single-use links in the body are removed (the mail has them)."""
    body = session.scalar(select(_T.body).where(_mine(row_id, owner)))
    values: dict[str, Any] = {
        "state": "sent",
        "sent_at": now,
        "lease_owner": None,
        "lease_expires_at": None,
        "last_error": None,
    }
    if body is not None and LINK_TOKEN.search(body):
        values["body"] = without_link_tokens(body)
    result = session.execute(update(Outbox.__table__).where(_mine(row_id, owner)).values(**values))
    session.commit()
    return bool(rows_matched(result))


def mark_failed(
    session: Session,
    row_id: int,
    owner: str,
    now: datetime,
    error: str,
    *,
    max_attempts: int,
    base: timedelta,
    cap: timedelta,
) -> str | None:
    """Record a failed attempt: back to `queued` after a backoff, or `failed` at the limit.

    Returns the new state, or None when the lease was lost meanwhile."""
    attempts = session.scalar(select(_T.attempts).where(_mine(row_id, owner)))
    if attempts is None:
        session.rollback()
        return None
    state = "failed" if attempts >= max_attempts else "queued"
    session.execute(
        update(Outbox.__table__)
        .where(_mine(row_id, owner))
        .values(
            state=state,
            next_attempt_at=now + retry_delay(attempts, base, cap),
            lease_owner=None,
            lease_expires_at=None,
            last_error=" ".join(error.split())[:ERROR_LIMIT],
        )
    )
    session.commit()
    return state


def cancel_for_page(session: Session, page_id: int) -> int:
    """Cancel the queued messages of a page (in the caller's transaction); how many."""
    result = session.execute(
        update(Outbox.__table__)
        .where(_T.page_id == page_id, _T.state == "queued")
        .values(state="cancelled")
    )
    return rows_matched(result)


def next_due(session: Session) -> datetime | None:
    """When the soonest queued row (or expiring lease) comes due, for a sender's sleep."""
    queued = session.scalar(
        select(_T.next_attempt_at).where(_T.state == "queued").order_by(_T.next_attempt_at)
    )
    leased = session.scalar(
        select(_T.lease_expires_at).where(_T.state == "sending").order_by(_T.lease_expires_at)
    )
    found = [at for at in (queued, leased) if at is not None]
    return min(found) if found else None


__all__ = ["Claimed", "cancel_for_page", "claim", "enqueue", "mark_failed", "mark_sent"]

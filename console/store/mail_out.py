"""Mail to customers, queued in the caller's transaction: replies, acknowledgements,
billing notices.

Why: a mail the desk sends must leave exactly when its cause commits (a reply, a new
request, a notice), so each is an outbox row (`console.store.outbox.enqueue`) written in
the command's own transaction; the pager's sender sends it.

What every such mail carries, so that intake knows it again when it comes back:
- a Message-ID `<sb-REQUEST-RANDOM@switchboard>` (`commands.intake.OUR_MESSAGE_ID`): a
  customer's answer to it joins REQUEST;
- the `[SB#REQUEST]` token in its subject;
- `X-Switchboard-Outgoing: REQUEST`: the mail itself, bounced or looped back, is ignored.
A reply is threaded: `In-Reply-To` and `References` name the customer's last message.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from console.domain.mail_out import ACK_INTERVAL
from console.store import outbox
from console.store.models import Contact, Request
from console.store.models_mail import MailMessage
from console.store.models_paging import Outbox

OUTGOING_HEADER = "X-Switchboard-Outgoing"


def message_id(request_id: int) -> str:
    return f"<sb-{request_id}-{uuid.uuid4().hex[:16]}@switchboard>"


def customer_address(session: Session, row: Request) -> str | None:
    """Where mail about `row` goes: its contact's address, else whoever mailed it last."""
    if row.contact_id is not None:
        email = session.scalar(select(Contact.email).where(Contact.id == row.contact_id))
        if email and "@" in email:
            return email.strip()
    return session.scalar(
        select(MailMessage.sender)
        .where(
            MailMessage.request_id == row.id,
            MailMessage.outcome.in_(("new", "reply")),
            MailMessage.channel == "email",
        )
        .order_by(MailMessage.received_at.desc(), MailMessage.id.desc())
        .limit(1)
    )


def _last_customer_message(session: Session, request_id: int) -> tuple[str, str] | None:
    found = session.execute(
        select(MailMessage.message_key, MailMessage.subject)
        .where(MailMessage.request_id == request_id, MailMessage.outcome.in_(("new", "reply")))
        .order_by(MailMessage.received_at.desc(), MailMessage.id.desc())
        .limit(1)
    ).first()
    return (found[0], found[1]) if found else None


def queue(
    session: Session,
    now: datetime,
    row: Request,
    *,
    to: str,
    purpose: str,
    subject: str,
    body: str,
    label: str,
    threaded: bool = False,
    in_reply_to: str | None = None,
    extra: dict[str, str] | None = None,
) -> str:
    """Queue one mail about `row` to `to`; returns its Message-ID. `threaded`: it answers
    the customer's last message on the request (or `in_reply_to`, a Message-ID)."""
    mid = message_id(row.id)
    headers = {"Message-ID": mid, OUTGOING_HEADER: str(row.id), **(extra or {})}
    if threaded and in_reply_to is None:
        last = _last_customer_message(session, row.id)
        in_reply_to = last[0] if last is not None else None
    if in_reply_to and in_reply_to.startswith("<"):  # a hash key is no Message-ID
        headers["In-Reply-To"] = headers["References"] = in_reply_to
    outbox.enqueue(
        session,
        now,
        channel="email",
        recipient=to,
        label=label,
        purpose=purpose,
        subject=subject,
        body=body,
        headers=headers,
        request_id=row.id,
    )
    return mid


def last_customer_subject(session: Session, request_id: int) -> str | None:
    last = _last_customer_message(session, request_id)
    return last[1] if last else None


def acknowledged_lately(session: Session, address: str, now: datetime) -> bool:
    """An acknowledgement went (or is queued) to `address` (as intake spells a sender:
    lower case) within the last hour.

    Two intakes filing mail from one address at once would both find none and both
    queue one, so on Postgres this first takes a transaction-scoped advisory lock on the
    address: the second waits until the first commits, and (read committed) its query
    then sees the first one's acknowledgement. SQLite has one writer at a time already
    (`BEGIN IMMEDIATE`)."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"ack:" + address.encode()).digest()[:8], "big")
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key - 2**63})
    return (
        session.scalar(
            select(Outbox.id)
            .where(
                Outbox.purpose == "acknowledgement",
                Outbox.recipient == address,
                Outbox.created_at > now - ACK_INTERVAL,
            )
            .limit(1)
        )
        is not None
    )

"""What mail intake answers, in the transaction that files the message.

Why: an acknowledgement must go exactly when its request is filed, and a page acknowledged
by mail exactly once, so both happen inside `ingest_mail`'s one transaction.

What:
- `acknowledge`: a new request from a known contact gets a mail with its number and when
  they will hear back (`Auto-Submitted: auto-replied`, RFC 3834), never to automatic mail
  (intake ignores that before it gets here), at most one per address and hour: the
  outbox itself is the record (`mail_out.acknowledged_lately`), so a restarted intake or
  a second fetcher sees it too.
- `page_reply` / `ack_by_mail`: a reply to a page's mail (`In-Reply-To` or `References`
  naming `<page-ID-...>`) from an address that page was mailed to is staff, not a
  customer: its first word `ack` acknowledges the page (`ack_page`, acting for them);
  anything else is ignored with the reason. Either way no request is filed.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.mail_out import ack_body, ack_subject, is_ack
from console.domain.sla import Channel
from console.store import mail_out
from console.store.commands.base import Rules
from console.store.commands.intake_types import IntakeResult, MailIn
from console.store.commands.paging import ack_page
from console.store.errors import StoreError
from console.store.models import Contact, Request
from console.store.models_paging import Outbox

#: The Message-ID of a page's mail (`console.store.paging.enqueue_to`).
PAGE_MESSAGE_ID = re.compile(r"<page-(\d{1,9})-")


def acknowledge(
    session: Session, now: datetime, rules: Rules, mail: MailIn, request_id: int
) -> bool:
    """Queue the acknowledgement of new request `request_id`, if it is due; whether it was."""
    if mail.channel != Channel.EMAIL.value or not mail.sender or mail.auto:
        return False
    row = session.get(Request, request_id)
    if row is None or row.contact_id is None:
        return False  # only a known contact: an unknown address may be forged or a robot
    email = session.scalar(select(Contact.email).where(Contact.id == row.contact_id))
    if (email or "").strip().lower() != mail.sender:
        return False
    if mail_out.acknowledged_lately(session, mail.sender, now):
        return False
    mail_out.queue(
        session,
        now,
        row,
        to=mail.sender,
        purpose="acknowledgement",
        subject=ack_subject(row.id, row.summary),
        body=ack_body(row.id, row.summary, row.due_at, rules.calendar.zone),
        label=f"request {row.id}",
        in_reply_to=mail.message_key,
        extra={"Auto-Submitted": "auto-replied"},
    )
    return True


def page_reply(session: Session, mail: MailIn) -> tuple[int, str] | None:
    """(page id, staff handle) when `mail` answers a page's mail sent to its sender."""
    keys = [k for k in (mail.in_reply_to, *mail.references) if k]
    pages = [int(m.group(1)) for k in keys if (m := PAGE_MESSAGE_ID.match(k))]
    for page_id in dict.fromkeys(pages):
        handle = session.scalar(
            select(Outbox.label).where(
                Outbox.page_id == page_id,
                Outbox.channel == "email",
                func.lower(Outbox.recipient) == mail.sender,
            )
        )
        if handle is not None:
            return page_id, handle
    return None


def ack_by_mail(
    session: Session, service: str, now: datetime, mail: MailIn, page_id: int, handle: str
) -> IntakeResult:
    """Acknowledge page `page_id` for `handle` if the reply says `ack`; never a request."""
    if not is_ack(mail.body):
        return IntakeResult("ignored", None, f"reply to page {page_id} by {handle}, not ack")
    try:
        view = ack_page.__wrapped__(session, handle, now, page_id=page_id, service=service)
    except StoreError as exc:
        return IntakeResult("ignored", None, f"ack of page {page_id} by {handle}: {exc}")
    return IntakeResult("ignored", None, f"page {view.page_id} acknowledged by {handle}")

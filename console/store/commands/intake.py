"""Mail intake's write path: one received message becomes exactly one outcome.

Why: a mail server delivers at least once (an MTA retries after a timeout, two fetchers
may see one mailbox, the same mail arrives by pipe and by IMAP), and a mail nobody typed
in must still start the contract's clock. So each message is one transaction that first
claims its key (`mail_messages.message_key`, the Message-ID or a hash of headers and
body) with `INSERT ... ON CONFLICT DO NOTHING`, and only then decides and writes. A second
delivery, even a concurrent one, finds the key taken (on Postgres its insert waits for
the first transaction and sees its commit) and is a `duplicate` that writes nothing.

What: `ingest_mail` files the message as `new` (a request; in `triage` with no customer
when nobody knows the sender), `reply` (it joins, or reopens, the request it answers, if
the sender belongs to that request's customer) or `ignored` (automatic mail: never
creates, reopens or answers anything); `quarantine_mail` keeps unreadable bytes whole.
Every row written has its event, in the acting service's name (`intake`).

How it fails: any error rolls the whole message back (nothing half-filed), so the MTA's
retry or `intake retry` files it later, once.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from console.domain.billing import needs_billing_notice
from console.domain.calendar import NoOpeningError
from console.domain.intake import (
    DEFAULT_REOPEN_WITHIN,
    ReplyRoute,
    mail_domain,
    normalise_phone,
    route_reply,
)
from console.domain.sla import Channel
from console.store import audit
from console.store.commands import intake_out
from console.store.commands.base import LIMITS, Rules, command, save
from console.store.commands.intake_types import AttachmentIn, IntakeResult, MailIn
from console.store.commands.quarantine import held_for_release, release_held
from console.store.dml import insert_for
from console.store.enums import BillingState, RequestStatus
from console.store.models import Contact, Request
from console.store.models_mail import MailAttachment, MailDomain, MailMessage

#: A Message-ID the desk's outgoing mail carries: `<sb-REQUEST-...@...>` (mail out uses it).
OUR_MESSAGE_ID = re.compile(r"<sb-(\d{1,9})-")


@command
def ingest_mail(
    session: Session,
    service: str,
    now: datetime,
    rules: Rules,
    *,
    mail: MailIn,
    reopen_within: timedelta = DEFAULT_REOPEN_WITHIN,
    release: int | None = None,
    acknowledge: bool = True,
) -> IntakeResult:
    """File one message (see the module docstring); `release`: the quarantine row it
    came from, released in the same transaction; `acknowledge`: a new request from a
    known contact gets its acknowledgement (`intake_out.acknowledge`)."""
    held = held_for_release(session, release) if release is not None else None
    received = min(mail.received_at, now)  # never a time from the future
    message_id = _claim(session, mail, received, now)
    if message_id is None:
        first = session.execute(
            select(MailMessage.id, MailMessage.request_id, MailMessage.outcome).where(
                MailMessage.message_key == mail.message_key
            )
        ).one()
        where = f" (request {first.request_id})" if first.request_id else ""
        seen = f"seen before as message {first.id}, {first.outcome}{where}"
        result = IntakeResult("duplicate", first.request_id, seen)
    elif mail.auto:
        result = IntakeResult("ignored", None, f"automatic mail: {mail.auto}")
    elif (paged := intake_out.page_reply(session, mail)) is not None:
        result = intake_out.ack_by_mail(session, service, now, mail, *paged)
    else:
        result = _file(session, service, now, rules, mail, received, reopen_within)
        if acknowledge and result.outcome == "new" and result.request is not None:
            intake_out.acknowledge(session, now, rules, mail, result.request)
    if message_id is not None:
        _finish_message(session, service, now, message_id, mail, result)
    if held is not None:
        release_held(session, service, now, held, result)
    return result


def _claim(session: Session, mail: MailIn, received: datetime, now: datetime) -> int | None:
    """Insert the message row if its key is new; its id, or None for a duplicate."""
    table = MailMessage.__table__
    values = {
        "message_key": mail.message_key[:1000],
        "request_id": None,
        "outcome": "ignored",
        "reason": "being filed",
        "channel": mail.channel,
        "sender": mail.sender[:320],
        "sender_name": mail.sender_name[:200],
        "subject": mail.subject,
        "body": mail.body,
        "received_at": received,
        "in_reply_to": (mail.in_reply_to or None) and mail.in_reply_to[:1000],
        "thread_index": (mail.thread_index or None) and mail.thread_index[:64],
        "via": mail.via[:10],
        "ingested_at": now,
    }
    statement = (
        insert_for(session, table)
        .values(values)
        .on_conflict_do_nothing(index_elements=["message_key"])
        .returning(table.c.id)
    )
    return session.connection().execute(statement).scalar()


def _file(
    session: Session,
    service: str,
    now: datetime,
    rules: Rules,
    mail: MailIn,
    received: datetime,
    reopen_within: timedelta,
) -> IntakeResult:
    contact, customer_id = _who(session, mail)
    behalf = f"contact:{contact.id}" if contact else None
    earlier = _thread(session, mail, customer_id)
    if earlier is not None:
        route = route_reply(earlier.status, earlier.resolved_at, received, reopen_within)
        if route is ReplyRoute.JOIN:
            return IntakeResult("reply", earlier.id, f"reply to request {earlier.id}")
        if route is ReplyRoute.REOPEN:
            before = audit.snapshot(earlier)
            earlier.status, earlier.resolved_at = RequestStatus.OPEN.value, None
            save(session)
            audit.record(
                session,
                actor=service,
                at=now,
                kind="request.reopened",
                entity="request",
                entity_id=earlier.id,
                before=before,
                after=audit.snapshot(earlier),
                on_behalf_of=behalf,
            )
            return IntakeResult("reply", earlier.id, f"reply reopened request {earlier.id}")
    follows = earlier.id if earlier is not None else None
    row = _new_request(session, rules, mail, received, contact, customer_id, follows)
    audit.record(
        session,
        actor=service,
        at=now,
        kind="request.logged",
        entity="request",
        entity_id=row.id,
        before=None,
        after=audit.snapshot(row),
        on_behalf_of=behalf,
    )
    if earlier is not None:
        days = reopen_within.days
        reason = f"new request {row.id}, follows request {earlier.id} (resolved over {days} days)"
    elif customer_id is None:
        reason = f"new request {row.id} in triage: nobody knows {mail.caller_digits or mail.sender}"
    else:
        reason = f"new request {row.id}"
    return IntakeResult("new", row.id, reason)


def _who(session: Session, mail: MailIn) -> tuple[Contact | None, int | None]:
    """The contact who sent it and their customer; else the customer owning the domain."""
    if mail.channel == Channel.VOICEMAIL.value:
        if not mail.caller_digits:
            return None, None
        rows = session.execute(
            select(Contact.id, Contact.phone).where(Contact.phone.is_not(None)).order_by(Contact.id)
        )
        for contact_id, phone in rows:
            if normalise_phone(phone or "") == mail.caller_digits:
                contact = session.get(Contact, contact_id)
                return contact, contact.customer_id if contact else None
        return None, None
    contact = session.scalars(
        select(Contact)
        .where(func.lower(func.trim(Contact.email)) == mail.sender)
        .order_by(Contact.id)
        .limit(1)
    ).first()
    if contact is not None:
        return contact, contact.customer_id
    owner = session.scalar(
        select(MailDomain.customer_id).where(MailDomain.domain == mail_domain(mail.sender))
    )
    return None, owner


def _thread(session: Session, mail: MailIn, customer_id: int | None) -> Request | None:
    """The request this message answers, if the sender may write to it."""
    candidates: list[int] = []
    keys = [k for k in (mail.in_reply_to, *reversed(mail.references)) if k]
    if keys:
        found = {
            key: request_id
            for key, request_id in session.execute(
                select(MailMessage.message_key, MailMessage.request_id).where(
                    MailMessage.message_key.in_(keys[:101]), MailMessage.request_id.is_not(None)
                )
            )
            if request_id is not None
        }
        candidates += [found[k] for k in keys if k in found]
        # The desk's own outgoing mail names its request in its Message-ID (`<sb-123-...>`).
        candidates += [int(m.group(1)) for k in keys if (m := OUR_MESSAGE_ID.match(k))]
    if mail.subject_token is not None and 0 < mail.subject_token < 2**31:
        candidates.append(mail.subject_token)
    if mail.thread_index:
        earlier = session.scalar(
            select(MailMessage.request_id)
            .where(MailMessage.thread_index == mail.thread_index)
            .where(MailMessage.request_id.is_not(None))
            .order_by(MailMessage.id.desc())
            .limit(1)
        )
        if earlier is not None:
            candidates.append(earlier)
    for request_id in dict.fromkeys(candidates):
        row = session.get(Request, request_id)
        if row is not None and _may_write_to(session, row, customer_id, mail.sender):
            return row
    return None


def _may_write_to(session: Session, row: Request, customer_id: int | None, sender: str) -> bool:
    # The request's customer, or someone already in its conversation (an unknown
    # sender answering the desk about the triage request they started).
    if row.customer_id is not None and row.customer_id == customer_id:
        return True
    return (
        session.scalar(
            select(MailMessage.id)
            .where(MailMessage.request_id == row.id, MailMessage.sender == sender)
            .limit(1)
        )
        is not None
    )


def _new_request(
    session: Session,
    rules: Rules,
    mail: MailIn,
    received: datetime,
    contact: Contact | None,
    customer_id: int | None,
    follows: int | None,
) -> Request:
    kind = Channel(mail.channel)
    try:
        due = rules.sla.due_at(kind, received, False)
    except NoOpeningError:
        due = None
    after_hours = needs_billing_notice(rules.calendar, emergency=False, received_at=received)
    summary = (mail.summary or mail.subject or mail.body.strip().split("\n", 1)[0]).strip()
    row = Request(
        customer_id=customer_id,
        contact_id=contact.id if contact else None,
        channel=kind.value,
        summary=(summary or "(no subject)")[: LIMITS["summary"]],
        received_at=received,
        emergency=False,
        emergency_unverified=False,
        status=(RequestStatus.OPEN if customer_id else RequestStatus.TRIAGE).value,
        assignee_id=None,
        due_at=due,
        first_response_at=None,
        resolved_at=None,
        billing_state=(BillingState.NEEDS_NOTICE if after_hours else BillingState.NONE).value,
        logged_by_id=None,
        version=1,
        follows_request_id=follows,
    )
    session.add(row)
    save(session)
    return row


def _finish_message(
    session: Session,
    service: str,
    now: datetime,
    message_id: int,
    mail: MailIn,
    result: IntakeResult,
) -> None:
    session.execute(
        update(MailMessage)
        .where(MailMessage.id == message_id)
        .values(request_id=result.request, outcome=result.outcome, reason=result.reason)
    )
    for item in mail.attachments:
        session.add(
            MailAttachment(
                message_id=message_id,
                filename=item.filename[:255],
                content_type=item.content_type[:255],
                size=item.size,
                sha256=item.sha256,
                data=None if item.refused else item.data,
                refused=item.refused,
            )
        )
    save(session)
    audit.record(
        session,
        actor=service,
        at=now,
        kind="mail.ignored" if result.outcome == "ignored" else "mail.received",
        entity="mail_message",
        entity_id=message_id,
        before=None,
        after={
            "message_key": mail.message_key[:1000],
            "channel": mail.channel,
            "sender": mail.sender[:320],
            "subject": mail.subject[:200],
            "request_id": result.request,
            "outcome": result.outcome,
            "reason": result.reason,
            "via": mail.via,
            "attachments": [
                {"filename": a.filename, "size": a.size, "sha256": a.sha256, "refused": a.refused}
                for a in mail.attachments
            ],
        },
    )


__all__ = ["AttachmentIn", "IntakeResult", "MailIn", "ingest_mail"]

"""Reading the store: requests, their history, and what the console lists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from console.domain.sla import TimerState
from console.store.commands.base import Rules, customer_named
from console.store.commands.request_reads import load_request
from console.store.enums import RequestStatus
from console.store.models import (
    BillingNotice,
    Contact,
    Customer,
    Escalation,
    Event,
    Request,
    Staff,
    WorkLog,
)
from console.store.models_mail import MailAttachment, MailMessage
from console.store.views import (
    EscalationView,
    EventView,
    RequestView,
    escalation_view,
    event_view,
    request_view,
)


def get_request(session: Session, request_id: int) -> RequestView:
    """The request, or `NotFound`."""
    return request_view(session, load_request(session, request_id))


def request_history(session: Session, request_id: int) -> list[EventView]:
    """Every event about the request and its escalations, work logs and notices, oldest first."""
    load_request(session, request_id)
    related = [
        ("escalation", select(Escalation.id).where(Escalation.request_id == request_id)),
        ("work_log", select(WorkLog.id).where(WorkLog.request_id == request_id)),
        ("billing_notice", select(BillingNotice.id).where(BillingNotice.request_id == request_id)),
        ("mail_message", select(MailMessage.id).where(MailMessage.request_id == request_id)),
    ]
    condition = or_(
        and_(Event.entity == "request", Event.entity_id == request_id),
        *(
            and_(Event.entity == entity, Event.entity_id.in_(ids.scalar_subquery()))
            for entity, ids in related
        ),
    )
    rows = session.scalars(select(Event).where(condition).order_by(Event.id))
    return [event_view(row) for row in rows]


def request_escalations(session: Session, request_id: int) -> list[EscalationView]:
    rows = session.scalars(
        select(Escalation).where(Escalation.request_id == request_id).order_by(Escalation.id)
    )
    return [escalation_view(session, row) for row in rows]


def list_requests(
    session: Session,
    *,
    open_only: bool = False,
    customer: str | int | None = None,
    breached_at: datetime | None = None,
    rules: Rules | None = None,
    limit: int = 500,
) -> list[RequestView]:
    """Requests, newest first; open ones soonest due first.

    With `breached_at` (and `rules`) only those whose timer is breached at that instant.
    """
    query = select(Request)
    if open_only or breached_at is not None:
        query = query.where(Request.status == RequestStatus.OPEN.value).order_by(
            Request.due_at.is_(None), Request.due_at, Request.id
        )
    else:
        query = query.order_by(Request.id.desc())
    if customer is not None:
        query = query.where(Request.customer_id == customer_named(session, customer).id)
    rows = session.scalars(query.limit(limit)).all()
    with _loaded_around(session, rows):
        views = [request_view(session, row) for row in rows]
    if breached_at is not None:
        assert rules is not None, "a breached filter needs the rules"
        views = [v for v in views if rules.sla.timer(v, breached_at).state is TimerState.BREACHED]
    return views


@contextmanager
def _loaded_around(session: Session, rows: Sequence[Request]) -> Iterator[None]:
    """The customers, contacts and staff `rows` name, read in three queries and held in the
    session while the views are made: `request_view` then finds them without a query each
    (265 requests were 692 queries)."""
    held = [
        session.scalars(select(model).where(model.id.in_(ids))).all()
        for model, ids in (
            (Customer, {r.customer_id for r in rows if r.customer_id is not None}),
            (Contact, {r.contact_id for r in rows if r.contact_id is not None}),
            (Staff, {r.assignee_id for r in rows if r.assignee_id is not None}),
        )
        if ids
    ]
    yield
    del held


@dataclass(frozen=True)
class MessageView:
    """A message received for a request (without its attachments' bytes)."""

    id: int
    outcome: str
    channel: str
    sender: str
    sender_name: str
    subject: str
    body: str
    received_at: datetime
    via: str
    attachments: list[dict[str, object]]


def request_messages(session: Session, request_id: int) -> list[MessageView]:
    """The mail and voicemail received for a request, oldest first."""
    rows = session.scalars(
        select(MailMessage)
        .where(MailMessage.request_id == request_id)
        .order_by(MailMessage.received_at, MailMessage.id)
    ).all()
    files: dict[int, list[dict[str, object]]] = {}
    if rows:
        for a in session.execute(
            select(
                MailAttachment.message_id,
                MailAttachment.filename,
                MailAttachment.content_type,
                MailAttachment.size,
                MailAttachment.sha256,
                MailAttachment.refused,
            )
            .where(MailAttachment.message_id.in_([r.id for r in rows]))
            .order_by(MailAttachment.id)
        ):
            files.setdefault(a.message_id, []).append(
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "refused": a.refused,
                }
            )
    return [
        MessageView(
            r.id,
            r.outcome,
            r.channel,
            r.sender,
            r.sender_name,
            r.subject,
            r.body,
            r.received_at,
            r.via,
            files.get(r.id, []),
        )
        for r in rows
    ]


def staff_count(session: Session) -> int:
    return len(session.scalars(select(Staff.id)).all())


def last_event_id(session: Session) -> int:
    """The highest event id (0 for none); for tests and tools, not for feed positions."""
    return session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0

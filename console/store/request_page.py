"""One request in full for the console's detail screen (issue 18): the request at any
status, its contact with phone and e-mail, the conversation (mail and voicemail received,
messages on the portal, the desk's replies) and every event about it and its parts.

Read-only and on demand (the detail screen's worker); what the queue already knows (the
work log, notices, escalations) comes from `Board.detail`, read in the same call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from console.store.board import Board
from console.store.board_rows import CallBack, HistoryEntry, RequestDetail
from console.store.errors import NotFound
from console.store.models import (
    BillingNotice,
    Contact,
    Escalation,
    Event,
    Request,
    Staff,
    WorkLog,
)
from console.store.models_mail import MailMessage
from console.store.models_paging import Page
from console.store.models_portal import RequestMessage
from console.store.queries import get_request, request_messages
from console.store.views import ContactView, RequestView, contact_view


@dataclass(frozen=True)
class ThreadEntry:
    """One message of the conversation, oldest first."""

    at: datetime
    #: `e-mail`, `voicemail`, `portal` (the contact wrote there) or `desk` (a reply).
    kind: str
    #: Who wrote it: the sender, the contact's name, or the desk member's handle.
    who: str
    subject: str | None
    body: str
    #: Attached files, as `name (size bytes)`.
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestPage:
    request: RequestView
    contact: ContactView | None
    detail: RequestDetail
    thread: tuple[ThreadEntry, ...]
    #: Every event about the request, its escalations, work, notices, mail, messages and
    #: pages, oldest first.
    history: tuple[HistoryEntry, ...]
    #: The customer's designated emergency contacts, with their phone numbers.
    designated: tuple[CallBack, ...]
    #: Every staff member's name by id and by handle: the history names people.
    staff_by_id: dict[int, str]
    staff_by_handle: dict[str, str]


def read_page(board: Board, request_id: int) -> RequestPage | None:
    """The request in full, or None if there is no such request."""
    detail = board.detail(request_id)
    if detail is None:
        return None
    with board.database.reading() as session:
        try:
            request = get_request(session, request_id)
        except NotFound:
            return None
        contact_id = session.scalar(select(Request.contact_id).where(Request.id == request_id))
        found = session.get(Contact, contact_id) if contact_id is not None else None
        contact = contact_view(session, found) if found is not None else None
        staff = session.execute(select(Staff.id, Staff.handle, Staff.name)).all()
        designated = session.execute(
            select(Contact.name, Contact.phone)
            .where(
                Contact.customer_id == request.customer_id,
                Contact.designated_for_emergencies.is_(True),
            )
            .order_by(Contact.name)
        ).all()
        return RequestPage(
            request,
            contact,
            detail,
            _thread(session, request_id),
            _history(session, request_id),
            tuple(CallBack(name, phone) for name, phone in designated),
            {i: name for i, _, name in staff},
            {handle: name for _, handle, name in staff},
        )


def _thread(session: Session, request_id: int) -> tuple[ThreadEntry, ...]:
    entries = [
        ThreadEntry(
            m.received_at,
            "e-mail" if m.channel == "email" else m.channel,
            f"{m.sender_name} <{m.sender}>" if m.sender_name else m.sender,
            m.subject,
            m.body,
            tuple(f"{a['filename']} ({a['size']} bytes)" for a in m.attachments),
        )
        for m in request_messages(session, request_id)
    ]
    rows = session.execute(
        select(RequestMessage, Contact.name, Staff.handle)
        .outerjoin(Contact, Contact.id == RequestMessage.contact_id)
        .outerjoin(Staff, Staff.id == RequestMessage.staff_id)
        .where(RequestMessage.request_id == request_id)
        .order_by(RequestMessage.id)
    )
    for message, contact, handle in rows:
        who = (handle or "desk") if message.author == "desk" else (contact or "contact")
        kind = "desk" if message.author == "desk" else "portal"
        entries.append(ThreadEntry(message.at, kind, who, None, message.body))
    return tuple(sorted(entries, key=lambda e: e.at))


def _history(session: Session, request_id: int) -> tuple[HistoryEntry, ...]:
    parts = (
        ("escalation", select(Escalation.id).where(Escalation.request_id == request_id)),
        ("work_log", select(WorkLog.id).where(WorkLog.request_id == request_id)),
        ("billing_notice", select(BillingNotice.id).where(BillingNotice.request_id == request_id)),
        ("mail_message", select(MailMessage.id).where(MailMessage.request_id == request_id)),
        (
            "request_message",
            select(RequestMessage.id).where(RequestMessage.request_id == request_id),
        ),
        ("page", select(Page.id).where(Page.request_id == request_id)),
    )
    condition = or_(
        and_(Event.entity == "request", Event.entity_id == request_id),
        *(
            and_(Event.entity == entity, Event.entity_id.in_(ids.scalar_subquery()))
            for entity, ids in parts
        ),
    )
    return tuple(
        HistoryEntry(e.id, e.at, e.actor, e.kind, e.entity, e.entity_id, e.before, e.after)
        for e in session.scalars(select(Event).where(condition).order_by(Event.id))
    )

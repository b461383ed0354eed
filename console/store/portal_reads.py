"""What the portal shows a signed-in contact: their requests (all of their customer's for
a designated contact), one request with its messages. Never another customer's: every
query is bound to the contact's customer, so a request id from elsewhere reads as none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from console.store.commands.portal import Principal
from console.store.models import Contact, Event, Request, Staff
from console.store.models_portal import RequestMessage

#: The most requests one list shows (newest first).
LIST_LIMIT = 200


@dataclass(frozen=True)
class PortalRequest:
    id: int
    summary: str
    contact: str | None
    channel: str
    status: str
    emergency: bool
    emergency_unverified: bool
    received_at: datetime
    due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    billing_state: str
    last_update: datetime


@dataclass(frozen=True)
class Message:
    id: int
    author: str  # "contact" or "desk"
    name: str
    body: str
    at: datetime


_LAST_EVENT = (
    select(func.max(Event.at))
    .where(Event.entity == "request", Event.entity_id == Request.id)
    .correlate(Request)
    .scalar_subquery()
)
_LAST_MESSAGE = (
    select(func.max(RequestMessage.at))
    .where(RequestMessage.request_id == Request.id)
    .correlate(Request)
    .scalar_subquery()
)


#: The columns a contact sees, in `PortalRequest` order (plain rows: no ORM objects).
_COLUMNS = (
    Request.id,
    Request.summary,
    Contact.name,
    Request.channel,
    Request.status,
    Request.emergency,
    Request.emergency_unverified,
    Request.received_at,
    Request.due_at,
    Request.first_response_at,
    Request.resolved_at,
    Request.billing_state,
)


def _visible(who: Principal) -> Select[*tuple[Any, ...]]:
    query = (
        select(*_COLUMNS, _LAST_EVENT, _LAST_MESSAGE)
        .outerjoin(Contact, Contact.id == Request.contact_id)
        .where(Request.customer_id == who.customer_id)
    )
    if not who.designated:
        query = query.where(Request.contact_id == who.contact_id)
    return query


def _row(row: Sequence[Any]) -> PortalRequest:
    fields, (event, message) = row[:-2], row[-2:]
    received = fields[7]
    times = [t for t in (event, message, received) if t is not None]
    return PortalRequest(*[*fields, max(times)])


def requests_for(session: Session, who: Principal) -> list[PortalRequest]:
    """The requests `who` may see, newest first."""
    rows = session.execute(
        _visible(who).order_by(Request.received_at.desc(), Request.id.desc()).limit(LIST_LIMIT)
    ).all()
    return [_row(row) for row in rows]


def request_for(session: Session, who: Principal, request_id: int) -> PortalRequest | None:
    """One request `who` may see, or None (missing and forbidden read the same)."""
    if not 0 < request_id < 2**31:
        return None
    found = session.execute(_visible(who).where(Request.id == request_id)).first()
    return _row(found) if found else None


def messages_of(session: Session, request_id: int) -> list[Message]:
    """The request's messages, oldest first: the contact's and the desk's replies."""
    rows = session.execute(
        select(RequestMessage, Contact.name, Staff.name)
        .outerjoin(Contact, Contact.id == RequestMessage.contact_id)
        .outerjoin(Staff, Staff.id == RequestMessage.staff_id)
        .where(RequestMessage.request_id == request_id)
        .order_by(RequestMessage.id)
    ).all()
    return [
        Message(m.id, m.author, (contact if m.author == "contact" else staff) or "", m.body, m.at)
        for m, contact, staff in rows
    ]

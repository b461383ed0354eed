"""What commands and queries return: plain frozen dataclasses, safe after the session ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from console.store.models import Contact, Customer, Escalation, Event, Request, Staff


@dataclass(frozen=True)
class RequestView:
    id: int
    #: None while the request is in triage (mail from an unknown sender).
    customer: str | None
    customer_id: int | None
    contact: str | None
    channel: str
    summary: str
    received_at: datetime
    emergency: bool
    emergency_unverified: bool
    status: str
    assignee: str | None
    due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    billing_state: str
    version: int


@dataclass(frozen=True)
class EscalationView:
    id: int
    request_id: int
    kind: str
    destination: str
    assignee: str | None
    reason: str | None
    technical_priority: int | None
    status: str
    opened_at: datetime
    closed_at: datetime | None
    version: int


@dataclass(frozen=True)
class StaffView:
    id: int
    handle: str
    name: str
    role: str
    department: str
    active: bool


@dataclass(frozen=True)
class CustomerView:
    id: int
    municipality: str
    liaison: str
    next_check_in: date | None


@dataclass(frozen=True)
class ContactView:
    id: int
    customer: str
    name: str
    phone: str | None
    email: str | None
    designated_for_emergencies: bool


@dataclass(frozen=True)
class ShiftView:
    id: int
    staff: str
    kind: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class PresenceView:
    staff: str
    state: str
    since: datetime


@dataclass(frozen=True)
class WorkView:
    id: int
    request_id: int
    staff: str
    started_at: datetime
    ended_at: datetime
    note: str | None
    billing_state: str


@dataclass(frozen=True)
class NoticeView:
    id: int
    request_id: int
    given_by: str
    given_at: datetime
    method: str
    billing_state: str
    #: The notice mailed to the customer (method email, contact with an address).
    message_id: str | None = None
    mailed_to: str | None = None


@dataclass(frozen=True)
class EventView:
    id: int
    at: datetime
    actor: str
    kind: str
    entity: str
    entity_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


# -- from rows -----------------------------------------------------------------------


def _handle(session: Session, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    staff = session.get(Staff, staff_id)
    return staff.handle if staff else None


def request_view(session: Session, row: Request) -> RequestView:
    customer = session.get(Customer, row.customer_id) if row.customer_id else None
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    return RequestView(
        id=row.id,
        customer=customer.municipality if customer else (None if row.customer_id is None else "?"),
        customer_id=row.customer_id,
        contact=contact.name if contact else None,
        channel=row.channel,
        summary=row.summary,
        received_at=row.received_at,
        emergency=row.emergency,
        emergency_unverified=row.emergency_unverified,
        status=row.status,
        assignee=_handle(session, row.assignee_id),
        due_at=row.due_at,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
        billing_state=row.billing_state,
        version=row.version,
    )


def escalation_view(session: Session, row: Escalation) -> EscalationView:
    return EscalationView(
        id=row.id,
        request_id=row.request_id,
        kind=row.kind,
        destination=row.destination,
        assignee=_handle(session, row.assignee_id),
        reason=row.reason,
        technical_priority=row.technical_priority,
        status=row.status,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        version=row.version,
    )


def staff_view(row: Staff) -> StaffView:
    return StaffView(row.id, row.handle, row.name, row.role, row.department, row.active)


def customer_view(session: Session, row: Customer) -> CustomerView:
    return CustomerView(
        row.id, row.municipality, _handle(session, row.liaison_id) or "?", row.next_check_in
    )


def contact_view(session: Session, row: Contact) -> ContactView:
    customer = session.get(Customer, row.customer_id)
    return ContactView(
        row.id,
        customer.municipality if customer else "?",
        row.name,
        row.phone,
        row.email,
        row.designated_for_emergencies,
    )


def event_view(row: Event) -> EventView:
    return EventView(
        row.id, row.at, row.actor, row.kind, row.entity, row.entity_id, row.before, row.after
    )

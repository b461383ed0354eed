"""Reading a request for a command: by id, with the names its view shows noted in one
round trip (`request_for_change`), and the view built from those names (`view_of`)."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from console.store.commands.base import handle_of, recall, remember, shown
from console.store.errors import NotFound
from console.store.models import Contact, Customer, Request, Staff
from console.store.views import RequestView, request_view


def load_request(session: Session, request_id: int) -> Request:
    row = session.get(Request, request_id) if 0 < request_id < 2**31 else None
    if row is None:
        raise NotFound(f"no request {request_id}")
    return row


#: A request with the names its view shows, in one round trip (see `request_for_change`).
_REQUEST_WITH_NAMES = (
    select(Request, Customer.municipality, Contact.name, Staff.handle)
    .outerjoin(Customer, Customer.id == Request.customer_id)
    .outerjoin(Contact, Contact.id == Request.contact_id)
    .outerjoin(Staff, Staff.id == Request.assignee_id)
    .where(Request.id == bindparam("request_id"))
)


def request_for_change(session: Session, request_id: int) -> Request:
    """Like `load_request`, also noting the customer, contact and assignee names."""
    found = (
        session.execute(_REQUEST_WITH_NAMES, {"request_id": request_id}).first()
        if 0 < request_id < 2**31
        else None
    )
    if found is None:
        raise NotFound(f"no request {request_id}")
    row, customer, contact, assignee = found
    remember(session, "customer", row.customer_id, customer)
    remember(session, "contact", row.contact_id, contact)
    remember(session, "staff", row.assignee_id, assignee)
    return row


def view_of(session: Session, row: Request) -> RequestView:
    """`views.request_view`, taking names read earlier in this command instead of re-reading."""
    customer = recall(session, "customer", row.customer_id)
    if customer is None:
        return request_view(session, row)
    contact = None
    if row.contact_id is not None:
        contact = recall(session, "contact", row.contact_id)
        if contact is None:
            return request_view(session, row)
    assignee = None
    if row.assignee_id is not None:
        assignee = recall(session, "staff", row.assignee_id) or handle_of(session, row.assignee_id)
    return RequestView(
        id=row.id,
        customer=customer,
        customer_id=row.customer_id,
        contact=contact,
        channel=row.channel,
        summary=row.summary,
        received_at=row.received_at,
        emergency=row.emergency,
        emergency_unverified=row.emergency_unverified,
        status=row.status,
        assignee=assignee,
        due_at=row.due_at,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
        billing_state=row.billing_state,
        version=row.version,
    )


def contact_of(session: Session, customer_id: int, name: str) -> Contact:
    """A contact of customer `customer_id` by id (digits) or name, or `NotFound`."""
    text = name.strip()
    query = select(Contact).where(Contact.customer_id == customer_id)
    if text.isdigit() and len(text) < 12:
        query = query.where(Contact.id == int(text))
    else:
        query = query.where(func.lower(Contact.name) == text.lower()[:200])
    contact = session.scalars(query).first()
    if contact is None:
        raise NotFound(f"no contact {shown(name)} for this customer")
    remember(session, "contact", contact.id, contact.name)
    return contact

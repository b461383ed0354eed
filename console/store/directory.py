"""Who works the desk and for whom: staff, customers, contacts and shifts, as lists.

Read-only; the CLI's `staff list`, `customer list`, `contact list` and `roster list` print
them. A customer or staff member named here is found as the write path finds one (an id or
a name, case-insensitive), with the same suggestions when the name matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.store.commands.base import customer_named, staff_named
from console.store.models import AgentPresence, Contact, Customer, Shift, Staff
from console.store.views import ContactView, ShiftView


@dataclass(frozen=True)
class StaffListing:
    handle: str
    name: str
    role: str
    department: str
    #: available, on-a-call, away; None when never set.
    presence: str | None
    presence_since: datetime | None


@dataclass(frozen=True)
class CustomerListing:
    id: int
    municipality: str
    liaison: str
    next_check_in: date | None
    contacts: int


def list_staff(session: Session, *, inactive: bool = False) -> list[StaffListing]:
    """Active staff (with `inactive`, everyone) by handle, with their presence."""
    query = (
        select(Staff, AgentPresence)
        .outerjoin(AgentPresence, AgentPresence.staff_id == Staff.id)
        .order_by(Staff.handle)
    )
    if not inactive:
        query = query.where(Staff.active.is_(True))
    return [
        StaffListing(
            staff.handle,
            staff.name,
            staff.role,
            staff.department,
            presence.state if presence else None,
            presence.since if presence else None,
        )
        for staff, presence in session.execute(query).all()
    ]


def list_customers(session: Session) -> list[CustomerListing]:
    """Every customer by name, with its liaison and how many contacts it has."""
    counts = (
        select(Contact.customer_id, func.count().label("n"))
        .group_by(Contact.customer_id)
        .subquery()
    )
    query = (
        select(Customer, Staff.handle, counts.c.n)
        .join(Staff, Staff.id == Customer.liaison_id)
        .outerjoin(counts, counts.c.customer_id == Customer.id)
        .order_by(Customer.municipality)
    )
    return [
        CustomerListing(row.id, row.municipality, liaison, row.next_check_in, n or 0)
        for row, liaison, n in session.execute(query).all()
    ]


def list_contacts(
    session: Session, *, customer: str | int | None = None, designated: bool = False
) -> list[ContactView]:
    """Contacts by customer and name; of one customer (id or name) when given."""
    query = (
        select(Contact, Customer.municipality)
        .join(Customer, Customer.id == Contact.customer_id)
        .order_by(Customer.municipality, Contact.name, Contact.id)
    )
    if customer is not None:
        query = query.where(Contact.customer_id == customer_named(session, customer).id)
    if designated:
        query = query.where(Contact.designated_for_emergencies.is_(True))
    return [
        ContactView(
            row.id, municipality, row.name, row.phone, row.email, row.designated_for_emergencies
        )
        for row, municipality in session.execute(query).all()
    ]


def list_shifts(
    session: Session, start: datetime, end: datetime, *, staff: str | None = None
) -> list[ShiftView]:
    """Shifts that overlap [start, end), earliest first; of one staff member when given."""
    query = (
        select(Shift, Staff.handle)
        .join(Staff, Staff.id == Shift.staff_id)
        .where(Shift.starts_at < end, Shift.ends_at > start)
        .order_by(Shift.starts_at, Staff.handle, Shift.id)
    )
    if staff is not None:
        query = query.where(Shift.staff_id == staff_named(session, staff).id)
    return [
        ShiftView(row.id, handle, row.kind, row.starts_at, row.ends_at)
        for row, handle in session.execute(query).all()
    ]

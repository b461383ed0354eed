"""Commands about people: staff, customers, contacts, shifts and presence."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.coverage import Presence, ShiftKind
from console.store import audit
from console.store.commands.base import (
    actor,
    clean_handle,
    clean_text,
    command,
    customer_named,
    one_of,
    save,
    shown,
    staff_named,
)
from console.store.commands.mail_admin import add_domain
from console.store.enums import Department, Role
from console.store.errors import InvalidInput, InvalidState, PermissionDenied
from console.store.models import AgentPresence, Contact, Customer, Shift, Staff
from console.store.views import (
    ContactView,
    CustomerView,
    PresenceView,
    ShiftView,
    StaffView,
    contact_view,
    staff_view,
)

#: The longest shift the roster accepts (a typo guard: a week of on-call is normal).
LONGEST_SHIFT = timedelta(days=14)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@command
def add_staff(
    session: Session,
    actor_handle: str | None,
    now: datetime,
    *,
    handle: str,
    name: str,
    role: str,
    department: str,
) -> StaffView:
    """Add a staff member. Only leads may, except the very first, which must be a lead.

    The first `add_staff` on an empty staff table bootstraps the desk without an actor.
    """
    new_handle = clean_handle(handle)
    new_name = clean_text(name, "name", "name")
    new_role = one_of(role, Role, "role")
    new_department = one_of(department, Department, "department")
    empty = session.scalar(select(func.count()).select_from(Staff)) == 0
    if empty:
        if new_role is not Role.LEAD:
            raise PermissionDenied("the first staff member must be a lead (--role lead)")
        by = actor_handle or new_handle
    else:
        by = actor(session, actor_handle or "", Role.LEAD, "adding staff").handle
    if session.scalars(select(Staff).where(Staff.handle == new_handle)).first():
        raise InvalidState(f"staff handle {new_handle!r} already exists")
    row = Staff(
        handle=new_handle,
        name=new_name,
        role=new_role.value,
        department=new_department.value,
        active=True,
        added_at=now,
    )
    session.add(row)
    save(session)
    audit.record(
        session,
        actor=by,
        at=now,
        kind="staff.added",
        entity="staff",
        entity_id=row.id,
        before=None,
        after=audit.snapshot(row),
    )
    return staff_view(row)


@command
def add_customer(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    municipality: str,
    liaison: str,
    next_check_in: date | None = None,
    domains: tuple[str, ...] = (),
) -> CustomerView:
    """Add a customer (a municipality) with its support liaison, and the mail domains it
    owns (`domains`). Leads only."""
    lead = actor(session, actor_handle, Role.LEAD, "adding customers")
    name = clean_text(municipality, "municipality", "name")
    assert name is not None
    if name.isdigit():
        raise InvalidInput("a municipality name cannot be only digits (they mean an id)")
    liaison_row = staff_named(session, liaison, what="liaison")
    clash = session.scalars(
        select(Customer).where(func.lower(Customer.municipality) == name.lower())
    ).first()
    if clash:
        raise InvalidState(f"customer {clash.municipality!r} already exists (id {clash.id})")
    row = Customer(
        municipality=name, liaison_id=liaison_row.id, next_check_in=next_check_in, added_at=now
    )
    session.add(row)
    save(session)
    audit.record(
        session,
        actor=lead.handle,
        at=now,
        kind="customer.added",
        entity="customer",
        entity_id=row.id,
        before=None,
        after=audit.snapshot(row),
    )
    for domain in domains:
        add_domain(session, lead, now, row, domain)
    return CustomerView(row.id, row.municipality, liaison_row.handle, row.next_check_in)


@command
def add_contact(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    customer: str | int,
    name: str,
    phone: str | None = None,
    email: str | None = None,
    designated: bool = False,
) -> ContactView:
    """Add a customer's contact. Any agent may add one (a caller not yet known, while
    logging the call); only a lead designates an emergency contact, since designation
    gives 24/7 free emergency support under the contract (POLICY.md s. 3)."""
    lead = actor(
        session, actor_handle, Role.LEAD if designated else Role.AGENT,
        "designating an emergency contact" if designated else "adding contacts",
    )  # fmt: skip
    owner = customer_named(session, customer)
    contact_name = clean_text(name, "name", "name")
    contact_phone = clean_text(phone, "phone", "phone", required=False)
    contact_email = clean_text(email, "e-mail", "email", required=False)
    if contact_email and not EMAIL.fullmatch(contact_email):
        raise InvalidInput(f"e-mail {shown(contact_email)} is not an address like name@example.org")
    row = Contact(
        customer_id=owner.id,
        name=contact_name,
        phone=contact_phone,
        email=contact_email,
        designated_for_emergencies=designated,
        added_at=now,
    )
    session.add(row)
    save(session)
    audit.record(
        session,
        actor=lead.handle,
        at=now,
        kind="contact.added",
        entity="contact",
        entity_id=row.id,
        before=None,
        after=audit.snapshot(row),
    )
    return contact_view(session, row)


@command
def add_shift(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    staff: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
) -> ShiftView:
    """Put someone on the roster for a duty or on-call shift. Dispatchers and leads."""
    by = actor(session, actor_handle, Role.DISPATCHER, "changing the roster")
    member = staff_named(session, staff)
    shift_kind = one_of(kind, ShiftKind, "shift kind")
    if ends_at <= starts_at:
        raise InvalidInput("a shift must end after it starts")
    if ends_at - starts_at > LONGEST_SHIFT:
        raise InvalidInput(f"a shift cannot be longer than {LONGEST_SHIFT.days} days")
    row = Shift(staff_id=member.id, kind=shift_kind.value, starts_at=starts_at, ends_at=ends_at)
    session.add(row)
    save(session)
    audit.record(
        session,
        actor=by.handle,
        at=now,
        kind="shift.added",
        entity="shift",
        entity_id=row.id,
        before=None,
        after=audit.snapshot(row),
    )
    return ShiftView(row.id, member.handle, row.kind, row.starts_at, row.ends_at)


@command
def set_presence(
    session: Session, actor_handle: str, now: datetime, *, staff: str, state: str
) -> PresenceView:
    """Set someone's presence. Anyone may set their own; dispatchers and leads anyone's."""
    member = staff_named(session, staff)
    new_state = one_of(state, Presence, "presence")
    if member.handle == (actor_handle or "").strip().lower():
        by = actor(session, actor_handle, Role.AGENT, "setting your presence")
    else:
        by = actor(session, actor_handle, Role.DISPATCHER, "setting someone else's presence")
    row = session.get(AgentPresence, member.id)
    before = audit.snapshot(row) if row else None
    if row is None:
        row = AgentPresence(staff_id=member.id, state=new_state.value, since=now)
        session.add(row)
    elif row.state != new_state.value:
        row.state, row.since = new_state.value, now
    else:
        return PresenceView(member.handle, row.state, row.since)  # nothing changed
    save(session)
    audit.record(
        session,
        actor=by.handle,
        at=now,
        kind="presence.set",
        entity="agent_presence",
        entity_id=member.id,
        before=before,
        after=audit.snapshot(row),
    )
    return PresenceView(member.handle, row.state, row.since)

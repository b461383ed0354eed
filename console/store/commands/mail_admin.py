"""Commands around mail intake that people run: customers' mail domains, and attaching a
request in triage (mail from an unknown sender) to its customer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.intake import valid_domain
from console.store import audit
from console.store.commands.base import (
    StaffMember,
    actor,
    command,
    customer_named,
    guard,
    save,
    shown,
)
from console.store.commands.request_reads import contact_of, request_for_change
from console.store.commands.requests import _change
from console.store.enums import RequestStatus, Role
from console.store.errors import InvalidInput, InvalidState
from console.store.models import Customer
from console.store.models_mail import MailDomain
from console.store.views import RequestView


def clean_domain(text: str) -> str:
    """A mail domain as stored (lower case, no '@' or final dot), or `InvalidInput`."""
    domain = (text or "").strip().lower().removeprefix("@").rstrip(".")
    if not valid_domain(domain):
        raise InvalidInput(f"mail domain {shown(text)} is not a domain name like example.org")
    return domain


def add_domain(
    session: Session, lead: StaffMember, now: datetime, owner: Customer, domain: str
) -> str:
    """Give `owner` the mail domain (inside the caller's command); the domain stored."""
    name = clean_domain(domain)
    clash = session.execute(
        select(MailDomain.customer_id, Customer.municipality)
        .join(Customer, Customer.id == MailDomain.customer_id)
        .where(MailDomain.domain == name)
    ).first()
    if clash is not None:
        raise InvalidState(f"mail domain {name} already belongs to {clash.municipality}")
    row = MailDomain(customer_id=owner.id, domain=name, added_at=now)
    session.add(row)
    save(session)
    audit.record(
        session,
        actor=lead.handle,
        at=now,
        kind="mail_domain.added",
        entity="mail_domain",
        entity_id=row.id,
        before=None,
        after=audit.snapshot(row),
    )
    return name


@command
def add_mail_domain(
    session: Session, actor_handle: str, now: datetime, *, customer: str | int, domain: str
) -> dict[str, object]:
    """A customer owns a mail domain: mail from any address there is theirs. Leads only."""
    lead = actor(session, actor_handle, Role.LEAD, "adding mail domains")
    owner = customer_named(session, customer)
    name = add_domain(session, lead, now, owner, domain)
    return {"customer": owner.municipality, "customer_id": owner.id, "domain": name}


@command
def attach_request(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    request_id: int,
    customer: str | int,
    contact: str | None = None,
    expected_version: int | None = None,
) -> RequestView:
    """Give a request in triage its customer (and contact): it joins the queue, its timer
    still running from when the mail arrived. Dispatchers and leads."""
    by = actor(session, actor_handle, Role.DISPATCHER, "attaching requests to customers")
    row = request_for_change(session, request_id)
    guard(session, row, "request", expected_version)
    if row.status != RequestStatus.TRIAGE.value:
        raise InvalidState(f"request {row.id} is {row.status}, not in triage: nothing to attach")
    owner = customer_named(session, customer)
    who = contact_of(session, owner.id, contact) if contact else None
    before = audit.snapshot(row)
    row.customer_id, row.contact_id = owner.id, who.id if who else None
    row.status = RequestStatus.OPEN.value
    return _change(session, row, by.handle, now, "request.attached", before)

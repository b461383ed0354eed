"""Asking for a portal account from the sign-in page (issue 17): recorded as an event on
the contact for a lead to approve with `switchboard portal account add`; nobody learns
from the answer whether an address belongs to a contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.store import audit
from console.store.commands.base import command
from console.store.commands.portal import SERVICE, clean_email, contact_by_email
from console.store.errors import InvalidInput, InvalidState, NotFound
from console.store.models import Contact, Customer, Event
from console.store.models_portal import PortalAccount

#: How long a contact's request for an account stands before they may ask again.
ASK_AGAIN_AFTER = timedelta(hours=24)


@command
def ask_for_account(session: Session, now: datetime, *, email: str, service: str = SERVICE) -> bool:
    """A visitor asks for an account for `email`, from the sign-in page. Recorded (an event
    on the contact, for a lead to approve with `portal account add`) only for a contact of
    a customer without an account and without a request in the last 24 hours; the caller
    answers the same whatever this returns, so nobody learns who is a contact."""
    try:
        address = clean_email(email)
        contact = contact_by_email(session, address)
    except (InvalidInput, NotFound, InvalidState):
        return False
    has_account = session.scalar(
        select(PortalAccount.id).where(
            PortalAccount.contact_id == contact.id, PortalAccount.active.is_(True)
        )
    )
    asked = session.scalar(
        select(Event.id).where(
            Event.kind == ACCOUNT_ASKED,
            Event.entity == "contact",
            Event.entity_id == contact.id,
            Event.at > now - ASK_AGAIN_AFTER,
        )
    )
    if has_account or asked:
        return False
    audit.record(
        session,
        actor=service,
        at=now,
        kind=ACCOUNT_ASKED,
        entity="contact",
        entity_id=contact.id,
        before=None,
        after={"email": address},
        on_behalf_of=f"contact:{contact.id}",
    )
    return True


ACCOUNT_ASKED = "portal-account.asked"


@dataclass(frozen=True)
class AskedView:
    email: str
    contact: str
    customer: str
    designated: bool
    asked_at: datetime


def accounts_asked(session: Session) -> list[AskedView]:
    """Contacts who asked for an account and have no active one yet, oldest first."""
    rows = session.execute(
        select(Event.at, Contact, Customer.municipality)
        .join(Contact, Contact.id == Event.entity_id)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(Event.kind == ACCOUNT_ASKED, Event.entity == "contact")
        .order_by(Event.id)
    ).all()
    active = set(
        session.scalars(select(PortalAccount.contact_id).where(PortalAccount.active.is_(True)))
    )
    seen: dict[int, AskedView] = {}
    for at, contact, customer in rows:
        if contact.id not in active and contact.id not in seen:
            seen[contact.id] = AskedView(
                (contact.email or "").lower(),
                contact.name,
                customer,
                contact.designated_for_emergencies,
                at,
            )
    return list(seen.values())

"""Logging a request for a caller who may not be a contact yet (issue 18).

The console's new-request dialog lets an agent add an unknown caller as a contact while
logging the call (POLICY.md section 8: agents log calls; `add_contact` lets any agent add
a contact, only a lead designate one). Both happen in one transaction: a refused request
(an empty summary, a bad channel) leaves no contact behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from console.store.commands.base import Rules, command
from console.store.commands.people import add_contact
from console.store.commands.requests import log_request
from console.store.views import RequestView


@dataclass(frozen=True)
class NewCaller:
    """A caller to add as a contact of the request's customer (never designated)."""

    name: str
    phone: str | None = None
    email: str | None = None


@command
def log_request_for(
    session: Session,
    actor_handle: str,
    now: datetime,
    rules: Rules,
    *,
    channel: str,
    customer: str | int,
    summary: str,
    contact: str | None = None,
    new_caller: NewCaller | None = None,
    emergency: bool = False,
    received_at: datetime | None = None,
) -> RequestView:
    """`log_request`, first adding `new_caller` as a contact of `customer` when given (then
    `contact` is ignored): one transaction, so both land or neither."""
    if new_caller is not None:
        added = add_contact.__wrapped__(
            session,
            actor_handle,
            now,
            customer=customer,
            name=new_caller.name,
            phone=new_caller.phone,
            email=new_caller.email,
        )
        contact = str(added.id)
    view: RequestView = log_request.__wrapped__(
        session,
        actor_handle,
        now,
        rules,
        channel=channel,
        customer=customer,
        summary=summary,
        contact=contact,
        emergency=emergency,
        received_at=received_at,
    )
    return view

"""Emergencies from contacts who are not designated: verify them, or downgrade them
(POLICY.md section 3). Dispatchers and leads only.

An emergency raised by someone who is not a designated contact is logged with
`emergency_unverified` set. The dispatcher calls a designated contact back and either
verifies it (the event records with whom) or treats it as a normal request: its due time
is then recomputed by the domain on the request's own channel clock from when it was
received, and a request received (or worked) while the desk was closed needs a billing
notice like any other after-hours request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.billing import Work, needs_billing_notice
from console.domain.calendar import NoOpeningError
from console.store import audit, paging
from console.store.commands.base import (
    Rules,
    actor,
    command,
    guard,
    save,
    shown,
)
from console.store.commands.request_reads import load_request
from console.store.enums import BillingState, RequestStatus, Role
from console.store.errors import InvalidInput, InvalidState, NotFound
from console.store.models import Contact, Customer, Request, WorkLog
from console.store.views import RequestView, request_view


@dataclass(frozen=True)
class VerificationView:
    """A verified emergency and the designated contact who confirmed it."""

    request: RequestView
    contact_id: int
    contact: str


def _open_emergency(row: Request, doing: str) -> None:
    if row.status != RequestStatus.OPEN.value:
        raise InvalidState(f"request {row.id} is {row.status}: cannot {doing} it")
    if not row.emergency:
        raise InvalidState(f"request {row.id} is not an emergency")


def _designated_contact(session: Session, customer_id: int | None, name_or_id: str) -> Contact:
    """The customer's contact `name_or_id`, who must be designated for emergencies."""
    text = (name_or_id or "").strip()
    query = select(Contact).where(Contact.customer_id == customer_id)
    if text.isdigit() and len(text) < 12:
        query = query.where(Contact.id == int(text))
    else:
        query = query.where(func.lower(Contact.name) == text.lower()[:200])
    contact = session.scalars(query).first() if text else None
    customer = session.get(Customer, customer_id)
    whose = customer.municipality if customer else f"customer {customer_id}"
    if contact is None:
        raise NotFound(f"no contact {shown(name_or_id)} for {whose}")
    if not contact.designated_for_emergencies:
        designated = session.scalars(
            select(Contact.name)
            .where(Contact.customer_id == customer_id, Contact.designated_for_emergencies)
            .order_by(Contact.name)
        ).all()
        who = f"designated: {', '.join(designated)}" if designated else "it has none"
        raise InvalidState(
            f"{contact.name} is not a designated emergency contact of {whose} ({who})"
        )
    return contact


@command
def verify_emergency(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    request_id: int,
    contact: str,
    expected_version: int | None = None,
) -> VerificationView:
    """Mark an unverified emergency as verified with `contact`, a designated contact of the
    request's customer (name or id). Its timer and assignee stay as they are."""
    by = actor(session, actor_handle, Role.DISPATCHER, "verifying emergencies")
    row = load_request(session, request_id)
    guard(session, row, "request", expected_version)
    _open_emergency(row, "verify")
    if not row.emergency_unverified:
        raise InvalidState(f"request {row.id} is already a verified emergency")
    confirmed = _designated_contact(session, row.customer_id, contact)
    before = audit.snapshot(row)
    row.emergency_unverified = False
    save(session)
    after = audit.snapshot(row) | {
        "verified_with": {"contact_id": confirmed.id, "name": confirmed.name}
    }
    audit.record(
        session,
        actor=by.handle,
        at=now,
        kind="request.emergency-verified",
        entity="request",
        entity_id=row.id,
        before=before,
        after=after,
    )
    return VerificationView(request_view(session, row), confirmed.id, confirmed.name)


@command
def downgrade_emergency(
    session: Session,
    actor_handle: str,
    now: datetime,
    rules: Rules,
    *,
    request_id: int,
    expected_version: int | None = None,
) -> RequestView:
    """Treat an emergency as a normal request from now on.

    The due time is recomputed from `received_at` on the channel's own clock (the
    business clock for voicemail, e-mail and portal); a request received, or worked on,
    while the desk was closed moves to billing state `needs-notice`. The assignee stays.
    """
    by = actor(session, actor_handle, Role.DISPATCHER, "downgrading emergencies")
    row = load_request(session, request_id)
    guard(session, row, "request", expected_version)
    _open_emergency(row, "downgrade")
    try:
        due = rules.sla.due_at(row.channel, row.received_at, emergency=False)
    except NoOpeningError as exc:
        raise InvalidInput(str(exc)) from None
    work = [
        Work(start, end)
        for start, end in session.execute(
            select(WorkLog.started_at, WorkLog.ended_at).where(WorkLog.request_id == row.id)
        )
    ]
    paging.close_pages(session, by.handle, now, row.id, "downgraded")
    before = audit.snapshot(row)
    row.emergency = False
    row.emergency_unverified = False
    row.due_at = due
    if row.billing_state == BillingState.NONE.value and needs_billing_notice(
        rules.calendar, emergency=False, received_at=row.received_at, work=work
    ):
        row.billing_state = BillingState.NEEDS_NOTICE.value
    save(session)
    audit.record(
        session,
        actor=by.handle,
        at=now,
        kind="request.emergency-downgraded",
        entity="request",
        entity_id=row.id,
        before=before,
        after=audit.snapshot(row),
    )
    return request_view(session, row)

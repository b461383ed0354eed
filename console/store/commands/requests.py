"""Commands on requests: logging them, assigning, responding, resolving, reopening.

Reading a request for a command (`load_request`, `view_of`, ...) is `request_reads.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from console.domain.billing import needs_billing_notice
from console.domain.calendar import NoOpeningError
from console.domain.coverage import Shift as CoverShift
from console.domain.coverage import ShiftKind, on_call_at
from console.domain.sla import Channel
from console.store import audit, paging, technical_order
from console.store.commands.base import (
    Rules,
    actor,
    clean_text,
    command,
    customer_named,
    guard,
    not_future,
    one_of,
    remember,
    save,
    staff_named,
)
from console.store.commands.request_reads import (
    contact_of,
    request_for_change,
    view_of,
)
from console.store.commands.request_reads import load_request as load_request  # for callers
from console.store.enums import BillingState, EscalationStatus, RequestStatus, Role
from console.store.errors import InvalidInput, InvalidState
from console.store.models import Escalation, Request, Shift, Staff
from console.store.views import RequestView

_REQUESTS = Request.__table__
_NEW_REQUEST_COLUMNS = tuple(column.name for column in _REQUESTS.c if column.name != "id")
_NEW_REQUEST = (
    insert(_REQUESTS)
    .values({name: bindparam(name, type_=_REQUESTS.c[name].type) for name in _NEW_REQUEST_COLUMNS})
    .returning(_REQUESTS.c.id)
)


def _on_call(session: Session, at: datetime) -> Staff | None:
    rows = session.execute(
        select(Shift, Staff.handle)
        .join(Staff, Staff.id == Shift.staff_id)
        .where(Shift.kind == ShiftKind.ON_CALL.value, Shift.starts_at <= at, Shift.ends_at > at)
    ).all()
    shifts = [CoverShift(h, s.starts_at, s.ends_at, ShiftKind(s.kind)) for s, h in rows]
    now_on_call = on_call_at(shifts, at)
    if not now_on_call:
        return None
    staff = session.scalars(select(Staff).where(Staff.handle == now_on_call[0].staff)).first()
    if staff is not None:
        remember(session, "staff", staff.id, staff.handle)
    return staff


@command
def log_request(
    session: Session,
    actor_handle: str | None,
    now: datetime,
    rules: Rules,
    *,
    channel: str,
    customer: str | int,
    summary: str,
    contact: str | None = None,
    emergency: bool = False,
    received_at: datetime | None = None,
    service: str | None = None,
    on_behalf_of: str | None = None,
) -> RequestView:
    """Log a new request and compute its due time (POLICY.md sections 2 to 4).

    A call answered live counts as responded at once. An emergency from a contact who is
    not designated is marked `emergency_unverified`. An emergency while the desk is
    closed goes to whoever is on call then. Non-emergency after-hours requests start in
    billing state `needs-notice`. A service (the portal) logs with `service` set and
    `actor_handle` None: no staff member logged it, and its event names the service and
    `on_behalf_of` (e.g. `contact:17`).
    """
    agent = _logger(session, actor_handle, service, "logging requests")
    kind = one_of(channel, Channel, "channel")
    text = clean_text(summary, "summary", "summary")
    owner = customer_named(session, customer)
    who = contact_of(session, owner.id, contact) if contact else None
    received = not_future(received_at or now, now, "received time")
    try:
        due = rules.sla.due_at(kind, received, emergency)
    except NoOpeningError as exc:
        raise InvalidInput(str(exc)) from None
    calendar = rules.calendar
    after_hours = needs_billing_notice(calendar, emergency=emergency, received_at=received)
    assignee = _on_call(session, received) if emergency and not calendar.is_open(received) else None
    row = Request(
        customer_id=owner.id,
        contact_id=who.id if who else None,
        channel=kind.value,
        summary=text,
        received_at=received,
        emergency=emergency,
        emergency_unverified=emergency and not (who and who.designated_for_emergencies),
        status=RequestStatus.OPEN.value,
        assignee_id=assignee.id if assignee else None,
        due_at=due,
        first_response_at=received if kind is Channel.CALL else None,
        resolved_at=None,
        billing_state=(BillingState.NEEDS_NOTICE if after_hours else BillingState.NONE).value,
        logged_by_id=agent.id,
        version=1,
    )
    # A plain INSERT ... RETURNING id: the row is new, so the ORM's unit of work (the
    # costliest part of a write on the client) has nothing to track; `row` stays transient.
    values = {name: getattr(row, name) for name in _NEW_REQUEST_COLUMNS}
    row.id = session.connection().execute(_NEW_REQUEST, values).scalar_one()
    if emergency:  # paged in this transaction: the page exists exactly when the request does
        paging.open_emergency_page(
            session, agent.handle, now, rules.policy, row, assignee.handle if assignee else None
        )
    audit.record(
        session,
        actor=agent.handle,
        at=now,
        kind="request.logged",
        entity="request",
        entity_id=row.id,
        before=None,
        after=audit.snapshot(row),
        on_behalf_of=on_behalf_of if service else None,
    )
    return view_of(session, row)


@dataclass(frozen=True)
class _Logger:
    id: int | None
    handle: str


def _logger(session: Session, handle: str | None, service: str | None, doing: str) -> _Logger:
    """Who logs: a staff member allowed to (their id and handle), or a service (no id)."""
    if service is not None:
        return _Logger(None, service)
    agent = actor(session, handle or "", Role.AGENT, doing)
    return _Logger(agent.id, agent.handle)


#: A phone call answered live: responded at once, no timer.
log_call_answered = partial(log_request, channel=Channel.CALL.value)
#: All lines busy, a voicemail left: call back within the business-clock target.
log_voicemail = partial(log_request, channel=Channel.VOICEMAIL.value)
log_email = partial(log_request, channel=Channel.EMAIL.value)
log_portal_request = partial(log_request, channel=Channel.PORTAL.value)


def _change(
    session: Session,
    row: Request,
    by: str,
    now: datetime,
    kind: str,
    before: dict[str, object],
) -> RequestView:
    save(session)
    audit.record(
        session,
        actor=by,
        at=now,
        kind=kind,
        entity="request",
        entity_id=row.id,
        before=before,
        after=audit.snapshot(row),
    )
    return view_of(session, row)


def _open(row: Request, doing: str) -> None:
    if row.status != RequestStatus.OPEN.value:
        raise InvalidState(f"request {row.id} is {row.status}: cannot {doing} it")


@command
def assign(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    request_id: int,
    to: str,
    expected_version: int | None = None,
) -> RequestView:
    """Give a request to a staff member. Dispatchers and leads."""
    by = actor(session, actor_handle, Role.DISPATCHER, "assigning requests")
    row = request_for_change(session, request_id)
    guard(session, row, "request", expected_version)
    _open(row, "assign")
    target = staff_named(session, to, what="assignee")
    remember(session, "staff", target.id, target.handle)
    if row.assignee_id == target.id:
        raise InvalidState(f"request {row.id} is already assigned to {target.handle}")
    before = audit.snapshot(row)
    row.assignee_id = target.id
    if row.emergency:  # the new assignee is paged with the assignment
        policy = Rules.read(session).policy
        paging.page_new_assignee(session, by.handle, now, policy, row, target.handle)
    return _change(session, row, by.handle, now, "request.assigned", before)


@command
def unassign(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    request_id: int,
    expected_version: int | None = None,
) -> RequestView:
    """Take a request back into the unassigned pool (dispatchers, leads): undo of an assign."""
    who = actor(session, actor_handle, Role.DISPATCHER, "unassigning requests")
    row = request_for_change(session, request_id)
    guard(session, row, "request", expected_version)
    _open(row, "unassign")
    if row.assignee_id is None:
        raise InvalidState(f"request {row.id} is not assigned to anyone")
    before = audit.snapshot(row)
    row.assignee_id = None
    return _change(session, row, who.handle, now, "request.unassigned", before)


@command
def respond(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    request_id: int,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> RequestView:
    """Record the first response, which stops the request's timer."""
    by = actor(session, actor_handle, Role.AGENT, "responding")
    row = request_for_change(session, request_id)
    guard(session, row, "request", expected_version)
    _open(row, "respond to")
    if row.first_response_at is not None:
        raise InvalidState(
            f"request {row.id} already had its first response at "
            f"{row.first_response_at.isoformat()}"
        )
    when = not_future(at or now, now, "response time")
    if when < row.received_at:
        raise InvalidInput(f"request {row.id} cannot be answered before it was received")
    before = audit.snapshot(row)
    row.first_response_at = when
    return _change(session, row, by.handle, now, "request.responded", before)


@command
def resolve(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    request_id: int,
    expected_version: int | None = None,
) -> RequestView:
    """Resolve an open request; its open escalations close with it (a technical one leaves
    the technical order, keeping its last position as history; the ones after move up)."""
    by = actor(session, actor_handle, Role.AGENT, "resolving requests")
    row = request_for_change(session, request_id)
    guard(session, row, "request", expected_version)
    _open(row, "resolve")
    escalations = session.scalars(
        select(Escalation).where(
            Escalation.request_id == row.id, Escalation.status == EscalationStatus.OPEN.value
        )
    ).all()
    technical = [e for e in escalations if technical_order.in_order(e)]
    if technical:
        technical_order.current(session)  # queue for the order; refreshes these rows too
    if row.emergency:  # its page's events come first: the request's stays the last
        paging.close_pages(session, by.handle, now, row.id, "resolved")
    before = audit.snapshot(row)
    row.status, row.resolved_at = RequestStatus.RESOLVED.value, now
    view = _change(session, row, by.handle, now, "request.resolved", before)
    for escalation in escalations:
        was = audit.snapshot(escalation)
        escalation.status, escalation.closed_at = EscalationStatus.CLOSED.value, now
        save(session)
        audit.record(
            session,
            actor=by.handle,
            at=now,
            kind="escalation.closed",
            entity="escalation",
            entity_id=escalation.id,
            before=was,
            after=audit.snapshot(escalation),
        )
    if technical:
        technical_order.close_gaps(session, by.handle, now)
    return view


@command
def reopen(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    request_id: int,
    expected_version: int | None = None,
) -> RequestView:
    """Open a resolved request again (its timer state is kept as it was)."""
    by = actor(session, actor_handle, Role.AGENT, "reopening requests")
    row = request_for_change(session, request_id)
    guard(session, row, "request", expected_version)
    if row.status != RequestStatus.RESOLVED.value:
        raise InvalidState(f"request {row.id} is {row.status}: only a resolved one can reopen")
    before = audit.snapshot(row)
    row.status, row.resolved_at = RequestStatus.OPEN.value, None
    return _change(session, row, by.handle, now, "request.reopened", before)

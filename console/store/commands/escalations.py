"""Commands on escalations: escalate, reassign, set technical priority (POLICY.md s. 5).

The technical order (positions 1..n, no repeats, no holes) is kept by
`console.store.technical_order`: escalating to Technical or moving there joins at the end,
moving away closes the gap, and a position moves the others (insert semantics).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.escalation import (
    Destination,
    PositionError,
    RoutingError,
    check_move,
    place,
    route,
)
from console.store import audit, technical_order
from console.store.commands.base import (
    actor,
    clean_text,
    command,
    guard,
    handle_of,
    save,
    staff_named,
)
from console.store.commands.request_reads import load_request
from console.store.enums import Department, EscalationStatus, RequestStatus, Role
from console.store.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from console.store.models import Escalation
from console.store.views import EscalationView, escalation_view


def load_escalation(session: Session, escalation_id: int) -> Escalation:
    row = session.get(Escalation, escalation_id) if 0 < escalation_id < 2**31 else None
    if row is None:
        raise NotFound(f"no escalation {escalation_id}")
    return row


def open_escalation_of(session: Session, request_id: int) -> int:
    """The id of request `request_id`'s open escalation (a request has at most one, see
    `escalate`): people name an escalation by its request's number, the one on screen."""
    request = load_request(session, request_id)
    found = session.scalar(
        select(Escalation.id).where(
            Escalation.request_id == request.id, Escalation.status == EscalationStatus.OPEN.value
        )
    )
    if found is None:
        raise NotFound(f"request {request.id} has no open escalation")
    return found


def _record(
    session: Session,
    row: Escalation,
    by: str,
    now: datetime,
    kind: str,
    before: dict[str, Any] | None,
) -> EscalationView:
    save(session)
    audit.record(
        session,
        actor=by,
        at=now,
        kind=kind,
        entity="escalation",
        entity_id=row.id,
        before=before,
        after=audit.snapshot(row),
    )
    return EscalationView(
        id=row.id,
        request_id=row.request_id,
        kind=row.kind,
        destination=row.destination,
        assignee=handle_of(session, row.assignee_id),
        reason=row.reason,
        technical_priority=row.technical_priority,
        status=row.status,
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        version=row.version,
    )


@command
def escalate(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    request_id: int,
    kind: str,
    to: str | None = None,
    reason: str | None = None,
) -> EscalationView:
    """Escalate an open request where the domain routes its kind; `other` needs a person."""
    by = actor(session, actor_handle, Role.AGENT, "escalating")
    request = load_request(session, request_id)
    if request.status != RequestStatus.OPEN.value:
        raise InvalidState(f"request {request.id} is {request.status}: cannot escalate it")
    why = clean_text(reason, "reason", "reason", required=False)
    try:
        routed = route(kind, to)
    except RoutingError as exc:
        raise InvalidInput(str(exc)) from None
    assignee = staff_named(session, routed.assignee, what="assignee") if routed.assignee else None
    already = session.scalars(
        select(Escalation).where(
            Escalation.request_id == request.id, Escalation.status == EscalationStatus.OPEN.value
        )
    ).first()
    if already:
        raise InvalidState(
            f"request {request.id} is already escalated: a lead can reassign it "
            f"(switchboard escalation reassign {request.id})"
        )
    # A new technical item joins the end of the team's order; a technical lead moves it.
    joining = routed.destination is Destination.TECHNICAL
    row = Escalation(
        request_id=request.id,
        kind=str(kind),
        destination=routed.destination.value,
        assignee_id=assignee.id if assignee else None,
        reason=why,
        technical_priority=len(technical_order.current(session)) + 1 if joining else None,
        status=EscalationStatus.OPEN.value,
        opened_at=now,
        closed_at=None,
    )
    session.add(row)
    return _record(session, row, by.handle, now, "escalation.opened", None)


@command
def reassign_escalation(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    escalation_id: int,
    to: str | None,
    destination: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> EscalationView:
    """Give an open escalation to another person, or move it to another destination with a
    reason. Leads only."""
    lead = actor(session, actor_handle, Role.LEAD, "reassigning escalations")
    if destination:  # a move may leave or join the technical order: queue for it first
        technical_order.lock(session)
    row = load_escalation(session, escalation_id)
    guard(session, row, "escalation", expected_version)
    if row.status != EscalationStatus.OPEN.value:
        raise InvalidState(
            f"the escalation of request {row.request_id} is {row.status}: cannot reassign it"
        )
    why = clean_text(reason, "reason", "reason", required=False)
    target = destination or row.destination
    if target != row.destination:
        try:
            moved = check_move(target, to, why)
        except RoutingError as exc:
            raise InvalidInput(str(exc)) from None
        target = moved.destination.value
    elif not to:
        raise InvalidInput("reassigning needs a person (--to HANDLE) or a new --destination")
    assignee = staff_named(session, to, what="assignee") if to else None
    if target == row.destination and assignee is not None and assignee.id == row.assignee_id:
        # A no-op would leave the version as it was and hide a lost race.
        raise InvalidState(
            f"the escalation of request {row.request_id} is already with {assignee.handle}"
        )
    was_in_order = technical_order.in_order(row)
    joins_at = None
    if target == Destination.TECHNICAL.value and not was_in_order:
        joins_at = len(technical_order.current(session)) + 1  # the end of the order
    before = audit.snapshot(row)
    row.destination = Destination(target).value
    row.assignee_id = assignee.id if assignee else None
    if why and why != row.reason:
        # The earlier reason is kept after the new one (issue 18: a move overwrote it);
        # the history holds each step's before and after.
        row.reason = f"{why} ← {row.reason}" if row.reason else why
    if row.destination != Destination.TECHNICAL.value:
        row.technical_priority = None  # the order belongs to the technical tracker only
    elif joins_at is not None:
        row.technical_priority = joins_at
    view = _record(session, row, lead.handle, now, "escalation.reassigned", before)
    if was_in_order and not technical_order.in_order(row):
        technical_order.close_gaps(session, lead.handle, now)
    return view


def place_in_order(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    escalation_id: int,
    position: int,
    expected_version: int | None = None,
) -> tuple[EscalationView, list[EscalationView]]:
    """Move an open technical escalation to `position` (1 = first, past the end = last).

    Returns the moved escalation and every escalation whose position changed (the moved
    one included), each written with its own event. Technical leads only.
    """
    lead = actor(session, actor_handle, Role.LEAD, "setting technical priority")
    if lead.department != Department.TECHNICAL.value:
        raise PermissionDenied(
            f"{lead.handle} is a {lead.department} lead; technical priority is set by "
            "technical leads"
        )
    order = technical_order.current(session)
    row = load_escalation(session, escalation_id)
    guard(session, row, "escalation", expected_version)
    if row.status != EscalationStatus.OPEN.value:
        raise InvalidState(f"the escalation of request {row.request_id} is {row.status}")
    if row.destination != Destination.TECHNICAL.value:
        raise InvalidState(
            f"the escalation of request {row.request_id} goes to {row.destination}, not technical"
        )
    try:
        placed = place(order, row, position)
    except PositionError as exc:
        raise InvalidInput(str(exc)) from None
    changed = technical_order.renumber(session, lead.handle, now, placed, moved=row)
    return escalation_view(session, row), changed


@command
def set_technical_priority(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    escalation_id: int,
    priority: int,
    expected_version: int | None = None,
) -> EscalationView:
    """Set an open technical escalation's place in the tracker; the others between its old
    and new place shift by one (`place_in_order`). Technical leads only."""
    moved, _changed = place_in_order(
        session,
        actor_handle,
        now,
        escalation_id=escalation_id,
        position=priority,
        expected_version=expected_version,
    )
    return moved

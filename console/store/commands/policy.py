"""Changing the desk policy: a new version, its event, and the open requests it re-times.

One transaction holds the new `policy_versions` row, a `policy.changed` event (entity
`policy`, id = the version number) and, for every open request whose due time the change
moves, the new `due_at` and a `request.retimed` event with the due time before and after.
Answered, resolved and emergency (wall-clock) requests are left alone. Consoles learn of
the change through the feed like any other event. Two leads changing the policy at the
same moment: one wins, the other's version number clashes and nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from console.domain.calendar import NoOpeningError
from console.domain.policy import Policy, PolicyError, normalise
from console.store import audit
from console.store.commands.base import actor, clean_text, command
from console.store.enums import RequestStatus, Role
from console.store.errors import InvalidInput
from console.store.models import PolicyVersion, Request
from console.store.policy import PolicyRecord, current_policy

#: An edit of the whole policy document (see `console.domain.policy`).
Edit = Callable[[Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class PolicyChange:
    record: PolicyRecord
    #: How many open requests got a new due time.
    retimed: int


@command
def change_policy(
    session: Session, actor_handle: str, now: datetime, *, edit: Edit, reason: str, what: str
) -> PolicyChange:
    """Apply `edit` to the policy in effect as a new version (leads only) and re-time.

    `what` names the change for the audit event (e.g. "closure add 2026-12-01").
    A change that leaves the policy as it was is refused: a version must say something.
    """
    lead = actor(session, actor_handle, Role.LEAD, "changing the desk policy")
    why = clean_text(reason, "reason", "reason")
    old = current_policy(session)
    try:
        document = normalise(edit(old.policy.document))
    except PolicyError as exc:
        raise InvalidInput(str(exc)) from None
    if document == old.policy.document:
        raise InvalidInput(f"{what}: the policy already says so; nothing changed")
    policy = Policy(document)
    number = old.number + 1
    row = PolicyVersion(
        number=number,
        document=document,
        created_at=now,
        created_by=lead.handle,
        change=what,
        reason=why,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=lead.handle,
        at=now,
        kind="policy.changed",
        entity="policy",
        entity_id=number,
        before={"number": old.number},
        after={"number": number, "change": what, "reason": why, "document": document},
    )
    retimed = retime_open_requests(session, lead.handle, now, policy, number)
    return PolicyChange(PolicyRecord(number, policy, now, lead.handle, why, what), retimed)


_OPEN_UNANSWERED = select(
    Request.id, Request.channel, Request.received_at, Request.due_at, Request.version
).where(
    Request.status == RequestStatus.OPEN.value,
    Request.first_response_at.is_(None),
    Request.emergency.is_(False),
)
_REQUESTS = Request.__table__
_SET_DUE = (
    update(_REQUESTS)
    .where(_REQUESTS.c.id == bindparam("rid"))
    .values(due_at=bindparam("new_due", type_=_REQUESTS.c.due_at.type), version=bindparam("v"))
)


_PG_SET_DUE = text(
    "UPDATE requests SET due_at = moved.due_at, version = moved.version "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:dues AS timestamptz[]), "
    "CAST(:versions AS integer[])) AS moved(id, due_at, version) "
    "WHERE requests.id = moved.id"
)


def retime_open_requests(
    session: Session, actor_handle: str, now: datetime, policy: Policy, number: int
) -> int:
    """Give each open, unanswered, non-emergency request its due time under `policy`.

    Rows are locked first (Postgres), so a concurrent write waits instead of being lost.
    Returns how many moved; each one gets a `request.retimed` event.
    """
    query = _OPEN_UNANSWERED
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    moves: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    due_at = policy.sla.due_at
    for rid, channel, received_at, due, version in session.execute(query):
        try:
            new_due = due_at(channel, received_at, False)
        except NoOpeningError as exc:
            raise InvalidInput(f"request {rid} would never be due: {exc}") from None
        if new_due == due:
            continue
        moves.append({"rid": rid, "new_due": new_due, "v": version + 1})
        events.append(
            {
                "actor": actor_handle,
                "at": now,
                "kind": "request.retimed",
                "entity": "request",
                "entity_id": rid,
                "before": {"due_at": _iso(due), "version": version},
                "after": {"due_at": _iso(new_due), "version": version + 1, "policy": number},
            }
        )
    if moves:
        connection = session.connection()
        if connection.dialect.name == "postgresql":  # one statement, not one per request
            connection.execute(
                _PG_SET_DUE,
                {
                    "ids": [m["rid"] for m in moves],
                    "dues": [m["new_due"] for m in moves],
                    "versions": [m["v"] for m in moves],
                },
            )
        else:
            connection.execute(_SET_DUE, moves)
        audit.record_many(session, events)
    return len(moves)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


__all__ = ["Edit", "PolicyChange", "change_policy", "retime_open_requests"]

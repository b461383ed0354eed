"""What dispatchers and leads do from the console: several rows at once, all or nothing.

Each function here is one transaction around the single-row commands (their undecorated
bodies, so they share it): if any target was changed by someone else since the person
saw it, or is refused, nothing is written and the error names that target.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.escalation import Destination
from console.store.commands.base import actor, command, guard
from console.store.commands.escalations import (
    load_escalation,
    reassign_escalation,
    set_technical_priority,
)
from console.store.commands.requests import assign
from console.store.enums import Department, EscalationStatus, Role
from console.store.errors import InvalidInput, InvalidState, PermissionDenied
from console.store.models import Escalation
from console.store.views import EscalationView, RequestView

#: (row id, the version the person saw)
Target = tuple[int, int | None]


def _unique(targets: Sequence[Target]) -> list[Target]:
    if not targets:
        raise InvalidInput("nothing selected")
    ids = [row_id for row_id, _ in targets]
    if len(set(ids)) != len(ids):
        raise InvalidInput("the same row is selected twice")
    return list(targets)


@command
def assign_many(
    session: Session, actor_handle: str, now: datetime, *, targets: Sequence[Target], to: str
) -> list[RequestView]:
    """Assign every request in `targets` to `to` in one transaction (dispatchers, leads)."""
    return [
        assign.__wrapped__(  # type: ignore[attr-defined]
            session, actor_handle, now, request_id=request_id, to=to, expected_version=version
        )
        for request_id, version in _unique(targets)
    ]


@command
def reassign_many(
    session: Session, actor_handle: str, now: datetime, *, targets: Sequence[Target], to: str
) -> list[EscalationView]:
    """Give every escalation in `targets` to `to`, in one transaction (leads)."""
    return [
        reassign_escalation.__wrapped__(  # type: ignore[attr-defined]
            session, actor_handle, now, escalation_id=row_id, to=to, expected_version=version
        )
        for row_id, version in _unique(targets)
    ]


@command
def place_technical(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    escalation_id: int,
    position: int,
    expected_version: int | None = None,
) -> list[EscalationView]:
    """Put a technical escalation at `position` (1 = first) of the technical team's order.

    The open technical escalations are renumbered 1..n in their current order with this
    one moved; only the rows whose priority changes are written (technical leads only).
    """
    moved = load_escalation(session, escalation_id)
    guard(session, moved, "escalation", expected_version)
    if moved.destination != Destination.TECHNICAL.value:
        raise InvalidState(f"escalation {moved.id} is not with the technical team")
    rows = list(
        session.scalars(
            select(Escalation).where(
                Escalation.destination == Destination.TECHNICAL.value,
                Escalation.status == EscalationStatus.OPEN.value,
            )
        )
    )
    ordered = sorted(
        (r for r in rows if r.id != moved.id),
        key=lambda r: (r.technical_priority is None, r.technical_priority or 0, r.opened_at, r.id),
    )
    if not 1 <= position <= len(ordered) + 1:
        raise InvalidInput(f"position must be 1 to {len(ordered) + 1}")
    ordered.insert(position - 1, moved)
    changed = []
    for rank, row in enumerate(ordered, start=1):
        if row.technical_priority != rank:
            changed.append(
                set_technical_priority.__wrapped__(  # type: ignore[attr-defined]
                    session, actor_handle, now, escalation_id=row.id, priority=rank
                )
            )
    if not changed:  # already there: nothing to write, but say so to someone not allowed
        lead = actor(session, actor_handle, Role.LEAD, "setting technical priority")
        if lead.department != Department.TECHNICAL.value:
            raise PermissionDenied(f"{lead.handle} is not a technical lead")
    return changed


#: A single-row command (one of this package's functions) and its keyword arguments.
Step = tuple[Callable[..., Any], dict[str, Any]]


@command
def together(
    session: Session, actor_handle: str, now: datetime, *, steps: Sequence[Step]
) -> list[Any]:
    """Run several single-row commands as one transaction (an undo of a bulk action)."""
    if not steps:
        raise InvalidInput("nothing to do")
    return [fn.__wrapped__(session, actor_handle, now, **kwargs) for fn, kwargs in steps]

"""What dispatchers and leads do from the console: several rows at once, all or nothing.

Each function here is one transaction around the single-row commands (their undecorated
bodies, so they share it): if any target was changed by someone else since the person
saw it, or is refused, nothing is written and the error names that target.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from console.store.commands.base import Command, command
from console.store.commands.escalations import place_in_order, reassign_escalation
from console.store.commands.requests import assign
from console.store.errors import InvalidInput
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
        # `__wrapped__` (the command without its own commit) is set by functools.wraps.
        assign.__wrapped__(
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
        # As above: the command without its own commit.
        reassign_escalation.__wrapped__(
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
    """Put a technical escalation at `position` (1 = first; past the end = last) of the
    technical team's order, and return every escalation whose position changed (the
    others between its old and new place shift by one). Technical leads only."""
    _moved, changed = place_in_order(
        session,
        actor_handle,
        now,
        escalation_id=escalation_id,
        position=position,
        expected_version=expected_version,
    )
    return changed


#: A single-row command (one of this package's functions) and its keyword arguments.
Step = tuple[Command[..., Any], dict[str, Any]]


@command
def together(
    session: Session, actor_handle: str, now: datetime, *, steps: Sequence[Step]
) -> list[Any]:
    """Run several single-row commands as one transaction (an undo of a bulk action)."""
    if not steps:
        raise InvalidInput("nothing to do")
    return [fn.__wrapped__(session, actor_handle, now, **kwargs) for fn, kwargs in steps]

"""The technical team's order: open technical escalations hold positions 1..n, each once.

Why: the technical pane and the tracker read the order as a list. With free numbers two
items could both be first, and a closure left a hole, so "one up" meant nothing. Every
write that adds to the order (escalating a `product` request, a move to Technical), moves
in it (a technical lead's position) or takes from it (closing, resolving the request, a
move away) goes through here and renumbers in the same transaction, with one event for
each escalation whose position changed.

How: on Postgres every such write first takes one transaction-scoped advisory lock, so
writers queue and each reads the order its predecessor committed. The database itself
refuses a repeated position (a deferred exclusion constraint) and a hole or a missing
position (a deferred constraint trigger, which takes the same lock) at commit, whoever
writes. On SQLite one writer holds the file at a time; triggers refuse a repeated or a
missing position at once, row by row as a unique index would, so several positions are
changed through parking slots above any real one; holes are kept out by this module
alone (SQLite has no deferred checks but foreign keys).

How it fails: a write that would leave a repeat or a hole fails at commit with nothing
written (`InvalidState` from `command`); a lead who saw an older version of the row they
move gets a `ConflictError` (see `commands.base.guard`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from console.domain.escalation import Destination
from console.store import audit
from console.store.enums import EscalationStatus
from console.store.models import Escalation
from console.store.views import EscalationView, escalation_view

#: pg_advisory_xact_lock key of the technical order; migration 0004 uses the same number.
ORDER_LOCK = 1_210_005
#: SQLite: positions in flight are parked at id + this, far above any real position.
PARKING = 1 << 40
_TABLE = Escalation.__table__


def in_order(row: Escalation) -> bool:
    """Whether `row` holds a place in the technical order (open, with Technical)."""
    return (
        row.status == EscalationStatus.OPEN.value and row.destination == Destination.TECHNICAL.value
    )


def lock(session: Session) -> None:
    """Queue behind any other writer of the order until this transaction ends (Postgres)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ORDER_LOCK})


def current(session: Session) -> list[Escalation]:
    """Lock the order and return it, first to last, as committed by whoever wrote before.

    Rows this session loaded earlier are refreshed (`populate_existing`): under READ
    COMMITTED the read after the lock sees the previous writer's commit.
    """
    lock(session)
    rows = session.scalars(
        select(Escalation)
        .where(
            Escalation.status == EscalationStatus.OPEN.value,
            Escalation.destination == Destination.TECHNICAL.value,
        )
        .execution_options(populate_existing=True)
    ).all()
    return sorted(
        rows,
        key=lambda r: (r.technical_priority is None, r.technical_priority or 0, r.opened_at, r.id),
    )


def renumber(
    session: Session,
    by: str,
    now: datetime,
    order: list[Escalation],
    *,
    moved: Escalation | None = None,
) -> list[EscalationView]:
    """Number `order` 1..n, writing and recording only the rows whose position changes.

    `moved` (the row a lead placed) gets `escalation.prioritised`, every other changed row
    `escalation.reordered`; each event holds that row's before and after. Rows that leave
    the order must be flushed out of it (closed or moved away) before this is called.
    """
    changes = [(row, rank) for rank, row in enumerate(order, 1) if row.technical_priority != rank]
    if not changes:
        return []
    before = {row.id: audit.snapshot(row) for row, _ in changes}
    session.flush()
    if len(changes) > 1 and session.connection().dialect.name == "sqlite":
        # SQLite checks each row at once: park first, or 1->2 meets the old 2.
        # A Core UPDATE: parking is not a change of its own (no version, no event).
        session.execute(
            update(_TABLE)
            .where(_TABLE.c.id.in_([row.id for row, _ in changes]))
            .values(technical_priority=_TABLE.c.id + PARKING)
        )
    for row, rank in changes:
        row.technical_priority = rank
    session.flush()
    views = []
    for row, _ in changes:
        audit.record(
            session,
            actor=by,
            at=now,
            kind="escalation.prioritised" if row is moved else "escalation.reordered",
            entity="escalation",
            entity_id=row.id,
            before=before[row.id],
            after=audit.snapshot(row),
        )
        views.append(escalation_view(session, row))
    return views


def close_gaps(session: Session, by: str, now: datetime) -> list[EscalationView]:
    """Renumber what is left after rows left the order (flushed already): no holes.

    On Postgres through the database's own gap-closing function (migration 0004): an
    agent who resolves a request may close the gap, but their login may not write
    positions; the function can only close gaps, never reorder.
    """
    order = current(session)
    if session.connection().dialect.name != "postgresql":
        return renumber(session, by, now, order)
    before = {row.id: audit.snapshot(row) for row in order}
    moved = set(session.scalars(text("SELECT escalations_close_technical_gaps()")))
    views = []
    for row in order:
        if row.id not in moved:
            continue
        session.refresh(row)
        audit.record(
            session,
            actor=by,
            at=now,
            kind="escalation.reordered",
            entity="escalation",
            entity_id=row.id,
            before=before[row.id],
            after=audit.snapshot(row),
        )
        views.append(escalation_view(session, row))
    return views


__all__ = ["ORDER_LOCK", "close_gaps", "current", "in_order", "lock", "renumber"]

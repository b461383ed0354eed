"""Appending to the audit history: one event per change, in the writer's transaction.

On Postgres each event also records the writing transaction's id and sends
`pg_notify('switchboard_events', <event id>)`, delivered only if the transaction commits.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Text, cast, func, insert, inspect, literal, literal_column, select
from sqlalchemy.orm import Session

from console.store.models import Event

#: The NOTIFY channel consoles listen on; the payload is the event id as text.
CHANNEL = "switchboard_events"


def snapshot(row: Any) -> dict[str, Any]:
    """A row's column values as JSON-ready data (instants as ISO-8601 UTC)."""
    mapper = inspect(type(row))
    return {attr.key: _plain(getattr(row, attr.key)) for attr in mapper.column_attrs}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


def record(
    session: Session,
    *,
    actor: str,
    at: datetime,
    kind: str,
    entity: str,
    entity_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> int:
    """Append one event and return its id; the caller's transaction commits it or not."""
    values: dict[str, Any] = {
        "actor": actor,
        "at": at,
        "kind": kind,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
    }
    if session.get_bind().dialect.name == "postgresql":
        values["transaction_id"] = literal_column("pg_current_xact_id()::text::bigint")
        # One round trip: insert, then notify with the new id.
        inserted = insert(Event).values(**values).returning(Event.id).cte("inserted")
        notify = func.pg_notify(literal(CHANNEL), cast(inserted.c.id, Text))
        return int(session.execute(select(inserted.c.id, notify)).scalar_one())
    return int(session.execute(insert(Event).values(**values).returning(Event.id)).scalar_one())

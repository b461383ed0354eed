"""Appending to the audit history: one event per change, in the writer's transaction.

On Postgres each event also records the writing transaction's id, and the first event of
each transaction sends `pg_notify('switchboard_events', <event id>)`, delivered only if
the transaction commits. One notification per transaction is enough: readers treat it as
a wake-up call and read every event after their position. (Each notifying commit takes a
cluster-wide lock in Postgres, so fewer notifications also means less commit contention.)
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import (
    Text,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from console.store.models import Event

#: The NOTIFY channel consoles listen on; the payload is the id (as text) of the first
#: event of the notifying transaction.
CHANNEL = "switchboard_events"


def snapshot(row: Any) -> dict[str, Any]:
    """A row's column values as JSON-ready data (instants as ISO-8601 UTC)."""
    keys = _COLUMN_KEYS.get(type(row))
    if keys is None:
        keys = _COLUMN_KEYS[type(row)] = tuple(a.key for a in inspect(type(row)).column_attrs)
    return {key: _plain(getattr(row, key)) for key in keys}


#: Each mapped class's column attribute names, in mapper order.
_COLUMN_KEYS: dict[type, tuple[str, ...]] = {}


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
    """Append one event and return its id; the caller's transaction commits it or not.

    On Postgres the first event of a transaction also sends the notification (one
    statement, one round trip); later events of the same transaction do not, since
    NOTIFY is delivered at commit and readers read every event from their position.
    """
    values = {
        "actor": actor,
        "at": at,
        "kind": kind,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
    }
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return int(connection.execute(_INSERT, values).scalar_one())
    transaction = session.get_nested_transaction() or session.get_transaction()
    if session.info.get(_NOTIFIED) is transaction:
        return int(connection.execute(_PG_INSERT, values).scalar_one())
    event_id = int(connection.execute(_PG_INSERT_NOTIFY, values).scalar_one())
    session.info[_NOTIFIED] = transaction
    return event_id


def record_many(session: Session, events: list[dict[str, Any]]) -> None:
    """Append many events in a few round trips (a bulk change such as a policy re-timing).

    Each dict holds `actor`, `at`, `kind`, `entity`, `entity_id`, `before`, `after`. The
    caller records one event with `record` first, so the transaction notifies once.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # One statement over a JSON array: psycopg's executemany is a round trip per row.
        rows = json.dumps(events, default=_plain)
        connection.execute(_PG_INSERT_MANY, {"rows": rows})
        return
    connection.execute(insert(_EVENTS), events)


#: `Session.info` key: the (innermost) transaction that already sent its notification.
_NOTIFIED = "switchboard.notified"
_EVENTS = Event.__table__
_FIELDS = ("actor", "at", "kind", "entity", "entity_id", "before", "after")


def _insert(**extra: Any) -> Any:
    """INSERT INTO events ... RETURNING id, built once: its compiled form is reused."""
    binds = {name: bindparam(name, type_=_EVENTS.c[name].type) for name in _FIELDS}
    return insert(_EVENTS).values(**binds, **extra).returning(_EVENTS.c.id)


_INSERT = _insert()
_XID = "pg_current_xact_id()::text::bigint"
_PG_INSERT_MANY = text(
    "INSERT INTO events (transaction_id, at, actor, kind, entity, entity_id, before, after) "
    f"SELECT {_XID}, e.at, e.actor, e.kind, e.entity, e.entity_id, e.before, e.after "
    "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS e(at timestamptz, actor text, "
    "kind text, entity text, entity_id bigint, before jsonb, after jsonb)"
)
_PG_INSERT = _insert(transaction_id=literal_column(_XID))
_inserted = _PG_INSERT.cte("inserted")
#: Insert, then notify with the new id, in one statement.
_PG_INSERT_NOTIFY = select(
    _inserted.c.id, func.pg_notify(literal(CHANNEL), cast(_inserted.c.id, Text))
)

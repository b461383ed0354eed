"""Appending to the audit history: one event per change, in the writer's transaction.

On Postgres the database does the rest, for this write path and any SQL client alike
(`console/store/audited.py`): a trigger records the writing transaction's id, refuses an
actor other than the login's own, and the first event of each transaction sends
`pg_notify('switchboard_events', <event id>)`, delivered only if the transaction commits.
One notification per transaction is enough: readers treat it as a wake-up call and read
every event after their position. (Each notifying commit takes a cluster-wide lock in
Postgres, so fewer notifications also means less commit contention.)
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import (
    bindparam,
    insert,
    inspect,
    text,
)
from sqlalchemy.orm import Session

from console.store import audited
from console.store.models import Event

#: The NOTIFY channel consoles listen on; the payload is the id (as text) of the first
#: event of the notifying transaction.
CHANNEL = audited.CHANNEL


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
    on_behalf_of: str | None = None,
) -> int:
    """Append one event and return its id; the caller's transaction commits it or not.

    On Postgres the database fills in `transaction_id`, checks that `actor` is the login's
    own staff member or service, and sends the notification (migration 0002).
    """
    values = {
        "actor": actor,
        "at": at,
        "kind": kind,
        "entity": entity,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "on_behalf_of": on_behalf_of,
    }
    return int(session.connection().execute(_INSERT, values).scalar_one())


def record_many(session: Session, events: list[dict[str, Any]]) -> None:
    """Append many events in a few round trips (a bulk change such as a policy re-timing).

    Each dict holds `actor`, `at`, `kind`, `entity`, `entity_id`, `before`, `after`. On
    Postgres the events trigger fills in the transaction and checks the actor, as for
    `record`, and the transaction notifies once whatever the number of events.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # One statement over a JSON array: psycopg's executemany is a round trip per row.
        rows = json.dumps(events, default=_plain)
        connection.execute(_PG_INSERT_MANY, {"rows": rows})
        return
    connection.execute(insert(_EVENTS), events)


_EVENTS = Event.__table__
_FIELDS = ("actor", "at", "kind", "entity", "entity_id", "before", "after", "on_behalf_of")
#: INSERT INTO events ... RETURNING id, built once: its compiled form is reused.
_INSERT = (
    insert(_EVENTS)
    .values(**{name: bindparam(name, type_=_EVENTS.c[name].type) for name in _FIELDS})
    .returning(_EVENTS.c.id)
)
#: Many events from one JSON array; the events trigger fills in `transaction_id`.
_PG_INSERT_MANY = text(
    "INSERT INTO events (at, actor, kind, entity, entity_id, before, after) "
    "SELECT e.at, e.actor, e.kind, e.entity, e.entity_id, e.before, e.after "
    "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS e(at timestamptz, actor text, "
    "kind text, entity text, entity_id bigint, before jsonb, after jsonb)"
)

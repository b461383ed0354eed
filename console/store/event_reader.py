"""Reading the events table from a position: each committed event once, in the order
the feed delivers them. The argument for why it never skips one is in
`console.store.feed`'s docstring; this module is the reading, that one the loop."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import URL, make_url

from console.store.models import Event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedEvent:
    id: int
    kind: str
    entity: str
    entity_id: int
    at: datetime
    actor: str
    transaction_id: int | None = None


@dataclass
class Position:
    """Where a reader stands; see the module docstring."""

    horizon: int = 0
    seen: set[int] = field(default_factory=set)
    #: SQLite: the highest id delivered.
    last_id: int = 0

    def copy(self) -> Position:
        return Position(self.horizon, set(self.seen), self.last_id)


EVENT_COLUMNS = (
    Event.id,
    Event.kind,
    Event.entity,
    Event.entity_id,
    Event.at,
    Event.actor,
    Event.transaction_id,
)


def _to_event(row: Any) -> FeedEvent:
    return FeedEvent(
        id=row.id,
        kind=row.kind,
        entity=row.entity,
        entity_id=row.entity_id,
        at=row.at,
        actor=row.actor,
        transaction_id=row.transaction_id,
    )


#: One statement, so one snapshot: its xmin and the rows it sees agree (module docstring).
PG_READ = """
SELECT s.xmin, e.id, e.kind, e.entity, e.entity_id, e.at, e.actor, e.transaction_id
FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin) AS s
LEFT JOIN events AS e
    ON e.transaction_id >= coalesce(%(horizon)s::bigint, s.xmin) OR e.id > %(after_id)s::bigint
ORDER BY e.id
"""
#: The name a feed's connection shows in pg_stat_activity.
APPLICATION_NAME = "switchboard-feed"


class EventReader:
    """Reads the events after a `Position`, gap-free.

    On Postgres it owns one autocommit connection, which the feed also LISTENs on, and
    each read is one prepared statement; SQLite reads through an engine of its own.
    """

    def __init__(self, url: URL | str) -> None:
        self.url = make_url(url) if isinstance(url, str) else url
        self.postgres = self.url.get_backend_name() == "postgresql"
        self.engine = None if self.postgres else _sqlite_engine(self.url)
        self._conn: psycopg.Connection[Any] | None = None

    def connection(self) -> psycopg.Connection[Any]:
        """The Postgres connection, opened (again) if needed."""
        if self._conn is None or self._conn.closed:
            conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._conn = psycopg.connect(
                conninfo,
                autocommit=True,
                connect_timeout=5,
                prepare_threshold=0,
                application_name=APPLICATION_NAME,
            )
        return self._conn

    def close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken
                log.debug("closing the feed connection failed", exc_info=True)

    def dispose(self) -> None:
        self.close_connection()
        if self.engine is not None:
            self.engine.dispose()

    def start(self, after_id: int | None = None) -> tuple[Position, list[FeedEvent]]:
        """A position at the present, with the events after `after_id` (None: no history)."""
        position = Position()
        if self.engine is not None:
            with self.engine.connect() as conn:
                last = conn.execute(text("SELECT coalesce(max(id), 0) FROM events")).scalar_one()
            position.last_id = int(last) if after_id is None else after_id
            return position, ([] if after_id is None else self.read(position))
        # The horizon is this very snapshot's xmin: what is there already is "seen".
        xmin, found = self._pg_read(horizon=None, after_id=after_id)
        seen = {e.id for e in found if (e.transaction_id or 0) >= xmin}
        history = [] if after_id is None else [e for e in found if e.id > after_id]
        position.horizon, position.seen = xmin, seen | {e.id for e in history}
        return position, history

    def read(self, position: Position) -> list[FeedEvent]:
        """Events committed since `position`, each once; advances `position` in place."""
        if self.engine is not None:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(*EVENT_COLUMNS).where(Event.id > position.last_id).order_by(Event.id)
                )
                events = [_to_event(row) for row in rows]
            if events:
                position.last_id = events[-1].id
            return events
        xmin, found = self._pg_read(horizon=position.horizon, after_id=None)
        events = [e for e in found if e.id not in position.seen]
        position.horizon = max(position.horizon, xmin)
        position.seen = {e.id for e in found if (e.transaction_id or 0) >= position.horizon}
        return events

    def _pg_read(self, horizon: int | None, after_id: int | None) -> tuple[int, list[FeedEvent]]:
        """The snapshot's xmin and the events at or above `horizon` (None: that xmin) or
        after `after_id` (None: no such condition)."""
        params = {"horizon": horizon, "after_id": after_id}
        rows = self.connection().execute(PG_READ, params).fetchall()
        xmin = int(rows[0][0])
        return xmin, [FeedEvent(*row[1:]) for row in rows if row[1] is not None]


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # plain reads: never take the write lock
        dbapi_connection.execute("PRAGMA busy_timeout = 5000")

    return engine

"""Core write statements both databases run alike, typed for the checker.

`insert_for` builds the dialect's INSERT (both have ON CONFLICT DO NOTHING);
`rows_matched` reads how many rows an UPDATE or DELETE matched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CursorResult, Table
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert


def insert_for(session: Session, table: Table) -> PostgresInsert | SqliteInsert:
    """INSERT for `table` in the session's dialect (both have ON CONFLICT DO NOTHING)."""
    # Imported here: a read never needs them, and the Postgres dialect costs 30 ms to load.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        return postgres_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def rows_matched(result: object) -> int:
    """The rows an UPDATE or DELETE run by `Session.execute` matched.

    SQLAlchemy types that answer as a plain `Result`; for DML it is a `CursorResult`.
    """
    assert isinstance(result, CursorResult), type(result)
    return result.rowcount

"""The console reads beside a writer on SQLite (WAL): a board load never queues for the
write lock, and sees what was committed before it began."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from console.store import commands
from console.store.board import Board
from console.store.db import Database, open_database
from console.store.errors import StoreError
from console.store.models import Request
from tests.conftest import NOW


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_board_load_reads_while_another_program_holds_the_write_lock(
    desk: Database, database_url: str, rules
) -> None:
    with desk.session() as session:
        commands.log_email(session, "ari", NOW, rules, customer="Springfield", summary="One")
    other = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE requests SET summary = 'uncommitted'")
    impatient = open_database(database_url, busy_timeout=0.2)
    try:
        # A write waits for the lock and fails: the lock is real.
        with pytest.raises(StoreError, match="busy"), impatient.session() as session:
            commands.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
        state = Board(impatient).load(NOW, NOW.date())  # a busy wait would fail at 0.2 s
        assert [r.summary for r in state.requests.values()] == ["One"]
        with impatient.reading() as session:
            assert session.scalars(select(Request.summary)).all() == ["One"]
    finally:
        if other.in_transaction:
            other.rollback()
        other.close()
        impatient.dispose()

"""Instants go in and come out as aware UTC on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from console.store.db import Database
from console.store.models import Staff


def test_an_instant_comes_back_aware_utc(database: Database) -> None:
    chicago_winter = timezone(timedelta(hours=-6))
    given = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=chicago_winter)
    with database.session() as session, session.begin():
        session.add(Staff(handle="x", name="X", role="agent", department="desk", added_at=given))
    with database.session() as session:
        back = session.scalars(select(Staff.added_at)).one()
    assert back == given
    assert back.utcoffset() == timedelta(0)
    assert back.hour == 15


def test_a_naive_instant_is_refused(database: Database) -> None:
    with database.session() as session:
        session.add(
            Staff(
                handle="x", name="X", role="agent", department="desk", added_at=datetime(2026, 1, 1)
            )
        )
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()

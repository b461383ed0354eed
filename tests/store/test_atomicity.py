"""A change and its event are one: a fault between them leaves neither; races lose cleanly."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from console.store import audit
from console.store import commands as c
from console.store.db import Database, open_database
from console.store.errors import ConflictError
from console.store.models import Event, Request
from tests.conftest import NOW


class Fault(Exception):
    pass


def test_a_fault_between_row_and_event_leaves_neither(
    desk: Database, rules, fingerprint_of, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fingerprint_of(desk)
    seen: list[int] = []

    def failing_record(session, **event):
        # The row is already written in this transaction: prove it, then fail.
        seen.append(session.scalar(select(func.count()).select_from(Request)))
        raise Fault("disk on fire")

    monkeypatch.setattr(audit, "record", failing_record)
    with desk.session() as session, pytest.raises(Fault):
        c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
    assert seen == [1]
    assert fingerprint_of(desk) == before


def test_a_fault_in_an_update_leaves_the_old_row(
    desk: Database, rules, fingerprint_of, monkeypatch: pytest.MonkeyPatch
) -> None:
    with desk.session() as session:
        view = c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
    before = fingerprint_of(desk)
    seen: list[object] = []

    def failing_record(session, **event):
        seen.append(session.get(Request, view.id).assignee_id)
        raise Fault("network gone")

    monkeypatch.setattr(audit, "record", failing_record)
    with desk.session() as session, pytest.raises(Fault):
        c.assign(session, "dora", NOW, request_id=view.id, to="abe")
    assert seen[0] is not None
    assert fingerprint_of(desk) == before


def contend(
    database: Database,
    request_id: int,
    target: str,
    barrier: threading.Barrier,
    outcomes: list[str],
) -> None:
    """Read the request, wait for the rival to have read it too, then assign it."""
    with database.session() as session:
        row = session.get(Request, request_id)
        assert row is not None and row.version == 1
        barrier.wait()
        try:
            c.assign(session, "lena", NOW, request_id=request_id, to=target, expected_version=1)
            outcomes.append("won")
        except ConflictError as exc:
            if exc.changed_by == "lena" and exc.version == 2:
                outcomes.append("conflict")


@pytest.mark.postgres
def test_two_sessions_racing_on_one_version_one_wins(postgres_url: str, rules) -> None:
    """Both read version N, both update at once: one commits, one gets ConflictError,
    and exactly one event is logged, every time."""
    from tests.conftest import _empty_postgres

    database = open_database(postgres_url)
    _empty_postgres(database)
    with database.session() as session:
        c.add_staff(session, None, NOW, handle="lena", name="L", role="lead", department="desk")
        c.add_staff(session, "lena", NOW, handle="abe", name="A", role="agent", department="desk")
        c.add_customer(session, "lena", NOW, municipality="Springfield", liaison="abe")
    for _ in range(50):
        with database.session() as session:
            view = c.log_email(session, "abe", NOW, rules, customer="Springfield", summary="x")
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        threads = [
            threading.Thread(target=contend, args=(database, view.id, t, barrier, outcomes))
            for t in ("abe", "lena")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["conflict", "won"]
        with database.session() as session:
            assigned = session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.entity_id == view.id, Event.kind == "request.assigned")
            )
            assert assigned == 1
            assert session.get(Request, view.id).version == 2
    database.dispose()

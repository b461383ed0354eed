"""The technical order is an order: open technical escalations hold positions 1..n, no
repeats and no holes, kept by the write path and enforced by the database (issue #12)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text

from console.store import commands, technical_order
from console.store.commands.leads import place_technical
from console.store.db import Database, open_database
from console.store.errors import ConflictError, InvalidInput, InvalidState
from console.store.models import Escalation, Event
from tests.conftest import NOW


def escalate(desk: Database, rules, n: int) -> tuple[list[int], list[int]]:
    """`n` requests escalated as `product`, in order: (request ids, escalation ids)."""
    with desk.session() as session:
        requests = [
            commands.log_request(
                session, "ari", NOW, rules, channel="email", customer="Springfield", summary=str(i)
            ).id
            for i in range(n)
        ]
        escalations = [
            commands.escalate(session, "ari", NOW, request_id=r, kind="product").id
            for r in requests
        ]
    return requests, escalations


def order(desk: Database) -> list[int]:
    """Open technical escalations by position; asserts the positions are exactly 1..n."""
    with desk.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, technical_priority FROM escalations "
                "WHERE status = 'open' AND destination = 'technical' ORDER BY technical_priority"
            )
        ).all()
    assert [p for _, p in rows] == list(range(1, len(rows) + 1))
    return [i for i, _ in rows]


def events_after(desk: Database, last: int) -> list[tuple[str, int, int | None, int | None]]:
    """(kind, escalation, priority before, after) of the escalation events after id `last`."""
    with desk.session() as session:
        found = session.scalars(
            select(Event).where(Event.id > last, Event.entity == "escalation").order_by(Event.id)
        ).all()
        return [
            (
                e.kind,
                e.entity_id,
                (e.before or {}).get("technical_priority"),
                (e.after or {}).get("technical_priority"),
            )
            for e in found
        ]


def last_event(desk: Database) -> int:
    with desk.session() as session:
        return session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0


def test_escalating_to_technical_joins_the_end(desk: Database, rules) -> None:
    _requests, esc = escalate(desk, rules, 3)
    assert order(desk) == esc
    with desk.session() as session:
        other = commands.log_request(
            session, "ari", NOW, rules, channel="email", customer="Springfield", summary="x"
        ).id
        care = commands.escalate(session, "ari", NOW, request_id=other, kind="additional-services")
        assert care.technical_priority is None
        moved = commands.reassign_escalation(
            session,
            "lena",
            NOW,
            escalation_id=care.id,
            to=None,
            destination="technical",
            reason="it is a bug",
        )
        assert moved.technical_priority == 4
    assert order(desk) == [*esc, care.id]


@pytest.mark.parametrize(
    ("moved", "position", "expected"),
    [
        (3, 1, [3, 0, 1, 2]),  # up: the ones between shift down by one
        (0, 3, [1, 2, 0, 3]),  # down: the ones between shift up by one
        (1, 99, [0, 2, 3, 1]),  # past the end means last
        (2, 3, [0, 1, 2, 3]),  # already there: nothing written
    ],
)
def test_setting_a_position_moves_the_others_with_one_event_each(
    desk: Database, rules, moved: int, position: int, expected: list[int]
) -> None:
    _requests, esc = escalate(desk, rules, 4)
    mark = last_event(desk)
    with desk.session() as session:
        view = commands.set_technical_priority(
            session, "tess", NOW, escalation_id=esc[moved], priority=position
        )
    assert order(desk) == [esc[i] for i in expected]
    assert view.technical_priority == expected.index(moved) + 1
    changed = [
        (esc[i], i + 1, rank)
        for rank, i in enumerate(expected, 1)
        if rank != i + 1  # escalated in order, so escalation i was at i + 1
    ]
    assert sorted((e, b, a) for _, e, b, a in events_after(desk, mark)) == sorted(changed)
    kinds = {e: kind for kind, e, _, _ in events_after(desk, mark)}
    assert all(
        kind == ("escalation.prioritised" if e == esc[moved] else "escalation.reordered")
        for e, kind in kinds.items()
    )


def test_closing_resolving_and_moving_away_close_the_gap(desk: Database, rules) -> None:
    requests, esc = escalate(desk, rules, 5)
    mark = last_event(desk)
    with desk.session() as session:
        commands.resolve(session, "ari", NOW, request_id=requests[1])
    assert order(desk) == [esc[0], esc[2], esc[3], esc[4]]
    assert events_after(desk, mark) == [
        ("escalation.closed", esc[1], 2, 2),  # kept as it was: it no longer counts
        ("escalation.reordered", esc[2], 3, 2),
        ("escalation.reordered", esc[3], 4, 3),
        ("escalation.reordered", esc[4], 5, 4),
    ]
    mark = last_event(desk)
    with desk.session() as session:
        commands.reassign_escalation(
            session,
            "lena",
            NOW,
            escalation_id=esc[0],
            to=None,
            destination="customer-care",
            reason="a quote, not a bug",
        )
    assert order(desk) == [esc[2], esc[3], esc[4]]
    assert events_after(desk, mark) == [
        ("escalation.reassigned", esc[0], 1, None),
        ("escalation.reordered", esc[2], 2, 1),
        ("escalation.reordered", esc[3], 3, 2),
        ("escalation.reordered", esc[4], 4, 3),
    ]
    with desk.session() as session:  # the last one leaves no gap to close
        commands.resolve(session, "ari", NOW, request_id=requests[4])
    assert order(desk) == [esc[2], esc[3]]


def test_bad_positions_and_refusals_write_nothing(desk: Database, rules, fingerprint_of) -> None:
    _requests, esc = escalate(desk, rules, 2)
    before = fingerprint_of(desk)
    with desk.session() as session:
        for position in (0, -1, 10_001):
            with pytest.raises(InvalidInput, match="the technical order holds 2, so 2 or more"):
                commands.set_technical_priority(
                    session, "tess", NOW, escalation_id=esc[0], priority=position
                )
        with pytest.raises(ConflictError):
            place_technical(
                session, "tess", NOW, escalation_id=esc[1], position=1, expected_version=7
            )
    assert fingerprint_of(desk) == before


def test_the_database_refuses_a_repeat_or_a_hole_written_directly(
    desk: Database, rules, fingerprint_of
) -> None:
    _requests, esc = escalate(desk, rules, 3)
    before = fingerprint_of(desk)
    postgres = desk.dialect == "postgresql"
    broken = [
        f"UPDATE escalations SET technical_priority = 1 WHERE id = {esc[1]}",  # repeat
        f"UPDATE escalations SET technical_priority = 4 WHERE id = {esc[2]}",  # hole at 3
        f"UPDATE escalations SET technical_priority = NULL WHERE id = {esc[0]}",  # missing
        f"INSERT INTO escalations (request_id, kind, destination, technical_priority, status,"
        f" opened_at, version) SELECT request_id, kind, destination, 1, status, opened_at, 1"
        f" FROM escalations WHERE id = {esc[0]}",  # a second first
    ]
    if postgres:  # only a check at commit can see a hole; SQLite relies on the write path
        broken.append(f"DELETE FROM escalations WHERE id = {esc[0]}")
    else:
        broken.remove(broken[1])
    for statement in broken:
        refusal = "exclusion constraint|technical order must be|position taken|needs a position"
        with pytest.raises(Exception, match=refusal), desk.engine.begin() as connection:
            connection.execute(text(statement))
    assert fingerprint_of(desk) == before
    if postgres:  # deferred: a renumbering in any order is fine once it is whole at commit
        with desk.engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE escalations SET technical_priority = 4 - technical_priority "
                    "WHERE status = 'open' AND destination = 'technical'"
                )
            )
        assert order(desk) == esc[::-1]


@pytest.mark.postgres
def test_two_leads_placing_at_once_end_valid_or_in_a_clean_conflict(desk: Database, rules) -> None:
    if desk.dialect != "postgresql":
        pytest.skip("concurrent writers: Postgres (SQLite has one writer at a time)")
    _requests, esc = escalate(desk, rules, 6)
    url = desk.engine.url.render_as_string(hide_password=False)
    outcomes: list[str] = []

    def lead(barrier: threading.Barrier, escalation_id: int, position: int, seen: int) -> None:
        database = open_database(url)
        try:
            with database.session() as session:
                barrier.wait()
                try:
                    place_technical(
                        session,
                        "tess",
                        NOW,
                        escalation_id=escalation_id,
                        position=position,
                        expected_version=seen,
                    )
                    outcomes.append("placed")
                except (ConflictError, InvalidState) as exc:
                    outcomes.append(type(exc).__name__)
        finally:
            database.dispose()

    for round_ in range(20):
        outcomes.clear()
        with desk.session() as session:  # what each lead saw
            versions = {e: session.get(Escalation, e).version for e in esc}
        barrier = threading.Barrier(2)
        moves = [(esc[round_ % 6], 1), (esc[(round_ + 3) % 6], 6)]
        threads = [
            threading.Thread(target=lead, args=(barrier, e, p, versions[e])) for e, p in moves
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert "placed" in outcomes and len(outcomes) == 2, outcomes
        assert sorted(order(desk)) == sorted(esc)  # every one once, 1..n, no hole


@pytest.mark.postgres
def test_a_raw_writer_with_a_stale_count_cannot_leave_a_hole(desk: Database, rules) -> None:
    if desk.dialect != "postgresql":
        pytest.skip("concurrent writers: Postgres")
    requests, esc = escalate(desk, rules, 3)
    url = desk.engine.url.render_as_string(hide_password=False)
    raw = open_database(url)
    try:
        with raw.engine.connect() as connection:
            # Appends at 4 from a stale count while the write path closes #3.
            connection.execute(
                text(
                    "INSERT INTO escalations (request_id, kind, destination, technical_priority,"
                    " status, opened_at, version) SELECT request_id, kind, destination, 4,"
                    f" status, opened_at, 1 FROM escalations WHERE id = {esc[0]}"
                )
            )
            # Meanwhile the write path closes #3 and commits: 1, 2 is whole.
            with desk.session() as session:
                commands.resolve(session, "ari", NOW, request_id=requests[2])
            with pytest.raises(
                Exception,
                match=r"must be 1 to 3 without holes \(found 3 of 3 numbered, from 1 to 4\)",
            ):
                connection.commit()  # 1, 2, 4: the check at commit sees the other's work
    finally:
        raw.dispose()
    assert order(desk) == esc[:2]


def test_the_lock_key_matches_the_migration() -> None:
    migration = Path(__file__).parents[2] / "migrations/versions/0004_technical_order.py"
    assert f"ORDER_LOCK = {technical_order.ORDER_LOCK:_}" in migration.read_text()

"""Dispatchers' and leads' actions on several rows: all or nothing, and who may."""

from __future__ import annotations

import pytest

from console.store import commands
from console.store.commands import unassign
from console.store.commands.leads import assign_many, place_technical, reassign_many
from console.store.db import Database
from console.store.errors import ConflictError, InvalidInput, PermissionDenied
from tests.conftest import NOW


def log(session, rules, n: int) -> list[int]:
    return [
        commands.log_request(
            session, "ari", NOW, rules, channel="email", customer="Springfield", summary=f"Item {i}"
        ).id
        for i in range(n)
    ]


def test_assign_many_is_all_or_nothing(desk: Database, rules, fingerprint_of) -> None:
    with desk.session() as session:
        ids = log(session, rules, 3)
        done = assign_many(session, "dora", NOW, targets=[(i, 1) for i in ids], to="abe")
        assert [r.assignee for r in done] == ["abe"] * 3
        before = fingerprint_of(desk)
        # One of them changed since the person looked (version 2 now): nothing is written.
        stale = [(ids[0], 2), (ids[1], 1), (ids[2], 2)]
        with pytest.raises(ConflictError) as caught:
            assign_many(session, "dora", NOW, targets=stale, to="ari")
        assert f"request {ids[1]}" in str(caught.value)
    assert fingerprint_of(desk) == before


def test_agents_may_not_assign_and_nothing_changes(desk: Database, rules, fingerprint_of) -> None:
    with desk.session() as session:
        ids = log(session, rules, 2)
        before = fingerprint_of(desk)
        with pytest.raises(PermissionDenied):
            assign_many(session, "ari", NOW, targets=[(i, None) for i in ids], to="abe")
        with pytest.raises(InvalidInput):
            assign_many(session, "dora", NOW, targets=[], to="abe")
    assert fingerprint_of(desk) == before


def test_reassign_many_and_unassign(desk: Database, rules) -> None:
    with desk.session() as session:
        ids = log(session, rules, 2)
        escalations = [
            commands.escalate(session, "ari", NOW, request_id=i, kind="additional-services").id
            for i in ids
        ]
        with pytest.raises(PermissionDenied):
            reassign_many(session, "dora", NOW, targets=[(e, 1) for e in escalations], to="cara")
        moved = reassign_many(
            session, "lena", NOW, targets=[(e, 1) for e in escalations], to="cara"
        )
        assert {e.assignee for e in moved} == {"cara"}
        commands.assign(session, "dora", NOW, request_id=ids[0], to="abe")
        back = unassign(session, "dora", NOW, request_id=ids[0], expected_version=2)
        assert back.assignee is None and back.version == 3


def test_place_technical_renumbers_the_order(desk: Database, rules) -> None:
    with desk.session() as session:
        ids = log(session, rules, 3)
        esc = [commands.escalate(session, "ari", NOW, request_id=i, kind="product").id for i in ids]
        place_technical(session, "tess", NOW, escalation_id=esc[2], position=1)
        order = sorted((_escalation(session, e).technical_priority, e) for e in esc)
        assert [e for _, e in order] == [esc[2], esc[0], esc[1]]
        place_technical(session, "tess", NOW, escalation_id=esc[2], position=3)
        order = sorted((_escalation(session, e).technical_priority, e) for e in esc)
        assert [e for _, e in order] == [esc[0], esc[1], esc[2]]
        with pytest.raises(PermissionDenied):
            place_technical(session, "lena", NOW, escalation_id=esc[0], position=2)
        with pytest.raises(InvalidInput, match="1 \\(first\\) to 10000"):
            place_technical(session, "tess", NOW, escalation_id=esc[0], position=0)
        moved = place_technical(session, "tess", NOW, escalation_id=esc[0], position=9)
        assert [(e.id, e.technical_priority) for e in moved] == [
            (esc[1], 1),
            (esc[2], 2),
            (esc[0], 3),
        ]  # past the end means last


def _escalation(session, escalation_id: int):
    from console.store.models import Escalation

    session.expire_all()
    return session.get(Escalation, escalation_id)


def test_reassigning_to_the_same_person_is_refused(desk: Database, rules) -> None:
    # A no-op would keep the version and let a racing lead's write through unnoticed.
    from console.store.errors import InvalidState

    with desk.session() as session:
        (request_id,) = log(session, rules, 1)
        escalation = commands.escalate(session, "ari", NOW, request_id=request_id, kind="product")
        commands.reassign_escalation(session, "lena", NOW, escalation_id=escalation.id, to="tess")
        with pytest.raises(InvalidState, match="already with tess"):
            commands.reassign_escalation(
                session, "lena", NOW, escalation_id=escalation.id, to="tess"
            )
        with pytest.raises(InvalidState, match="not assigned"):
            unassign(session, "dora", NOW, request_id=request_id)


def test_a_stale_escalation_names_its_request_customer_and_new_version(
    desk: Database, rules
) -> None:
    with desk.session() as session:
        (request,) = log(session, rules, 1)
        escalation = commands.escalate(
            session, "ari", NOW, request_id=request, kind="additional-services"
        ).id
        reassign_many(session, "lena", NOW, targets=[(escalation, 1)], to="cara")
        with pytest.raises(ConflictError) as caught:
            reassign_many(session, "lena", NOW, targets=[(escalation, 1)], to="cara")
    error = caught.value
    assert (error.entity, error.entity_id, error.request_id) == ("escalation", escalation, request)
    assert (error.customer, error.changed_by, error.version) == ("Springfield", "lena", 2)
    assert str(error).startswith(
        f"the escalation of request {request} (Springfield) was changed by lena at "
    )

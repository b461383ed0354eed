"""The store commands behind the console's work keys (issue 18): a note is one event and
changes no row; a request logged for a new caller adds the contact in the same
transaction, or neither; the request page reads the whole request at any status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from console.store import commands
from console.store.board import Board
from console.store.commands.calls import NewCaller, log_request_for
from console.store.commands.notes import NOTED, add_note
from console.store.errors import InvalidInput, NotFound, PermissionDenied
from console.store.models import Contact, Event
from console.store.request_page import read_page
from tests.conftest import NOW


def _logged(desk, rules) -> int:
    with desk.session() as session:
        return commands.log_request(
            session, "ari", NOW, rules, channel="email", customer="Springfield",
            summary="Form broken", received_at=NOW - timedelta(minutes=5),
        ).id  # fmt: skip


def test_a_note_is_one_event_and_changes_no_row(desk, rules, fingerprint_of) -> None:
    request_id = _logged(desk, rules)
    before = fingerprint_of(desk)
    with desk.session() as session:
        note = add_note(session, "abe", NOW, request_id=request_id, text="Called, no answer\nx")
    after = fingerprint_of(desk)
    assert {t for t in after if after[t] != before[t]} == {"events"}
    with desk.reading() as session:
        event = session.scalars(select(Event).where(Event.kind == NOTED)).one()
    assert (event.actor, event.entity, event.entity_id) == ("abe", "request", request_id)
    assert event.after == {"note": "Called, no answer\nx"} and note.event_id == event.id


def test_a_note_needs_text_a_request_and_a_desk_role(desk, rules, fingerprint_of) -> None:
    request_id = _logged(desk, rules)
    before = fingerprint_of(desk)
    with desk.session() as session, pytest.raises(InvalidInput, match="note is empty"):
        add_note(session, "abe", NOW, request_id=request_id, text="   ")
    with desk.session() as session, pytest.raises(NotFound, match="no request 999"):
        add_note(session, "abe", NOW, request_id=999, text="hello")
    with desk.session() as session, pytest.raises((NotFound, PermissionDenied)):
        add_note(session, "nobody", NOW, request_id=request_id, text="hello")
    assert fingerprint_of(desk) == before


def test_a_new_caller_is_added_with_the_request(desk, rules) -> None:
    with desk.session() as session:
        view = log_request_for(
            session, "ari", NOW, rules, channel="call", customer="Shelbyville",
            summary="Pool hours page is wrong",
            new_caller=NewCaller("Marge Simpson", "555-0199", "marge@example.org"),
        )  # fmt: skip
    assert view.contact == "Marge Simpson" and view.customer == "Shelbyville"
    with desk.reading() as session:
        contact = session.scalars(select(Contact).where(Contact.name == "Marge Simpson")).one()
    assert (contact.phone, contact.email, contact.designated_for_emergencies) == (
        "555-0199",
        "marge@example.org",
        False,
    )


def test_a_refused_request_leaves_no_new_contact(desk, rules, fingerprint_of) -> None:
    before = fingerprint_of(desk)
    with desk.session() as session, pytest.raises(InvalidInput, match="summary is empty"):
        log_request_for(
            session, "ari", NOW, rules, channel="call", customer="Shelbyville", summary=" ",
            new_caller=NewCaller("Marge Simpson"),
        )  # fmt: skip
    with desk.session() as session, pytest.raises(InvalidInput, match="not an address"):
        log_request_for(
            session, "ari", NOW, rules, channel="call", customer="Shelbyville", summary="x",
            new_caller=NewCaller("Marge Simpson", email="marge at home"),
        )  # fmt: skip
    assert fingerprint_of(desk) == before


def test_the_page_of_a_resolved_request_has_every_field(desk, rules) -> None:
    request_id = _logged(desk, rules)
    with desk.session() as session:
        commands.assign(session, "dora", NOW, request_id=request_id, to="abe")
    with desk.session() as session:
        add_note(session, "abe", NOW, request_id=request_id, text="Fixed the form")
    with desk.session() as session:
        commands.resolve(session, "abe", NOW, request_id=request_id)
    page = read_page(Board(desk), request_id)
    assert page is not None
    assert (page.request.status, page.request.assignee, page.request.summary) == (
        "resolved",
        "abe",
        "Form broken",
    )
    kinds = [e.kind for e in page.history]
    assert kinds == ["request.logged", "request.assigned", NOTED, "request.resolved"]
    assert page.staff_by_handle["abe"] == "Abe"
    assert read_page(Board(desk), 999) is None

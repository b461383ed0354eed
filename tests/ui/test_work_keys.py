"""The work keys (issue 18), pressed as an agent, a dispatcher and a lead would: `N` logs
a new request (a new caller added inline), `o` responds (a reply mailed for an e-mail
request, the answer time for a voicemail), `i` adds a note, `w` logs work, `W` times it,
`z` resolves (undone with `u`) and `Z` reopens; and what a read-only console is told."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from console.clock import FrozenClock
from console.store import commands
from console.store.models import Contact, Event, Request, WorkLog
from console.store.models_portal import RequestMessage
from console.ui.keymap import KeymapError, check_keymap, main_bindings, other_bindings
from console.ui.screens.detail import DetailScreen
from console.ui.screens.dialogs import ConfirmScreen
from console.ui.screens.new_request import NewRequestScreen
from console.ui.screens.work_dialogs import ComposeScreen, WhenScreen, WorkScreen
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until

SIZE = (160, 45)


def request(database, request_id: int) -> Request:
    with database.reading() as session:
        row = session.get(Request, request_id)
        assert row is not None
        session.expunge(row)
        return row


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def on_row(pilot, request_id: int) -> None:
    await loaded(pilot)
    assert pilot.app.query_one(QueuePane).grid.move_to(request_id)
    await pilot.pause()


async def detail_of(pilot, request_id: int) -> DetailScreen:
    app = pilot.app
    app.jump_to(request_id) if request_id not in app.desk.queue.rows else None
    if request_id in app.desk.queue.rows:
        await on_row(pilot, request_id)
        await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
    screen = app.screen
    await wait_until(pilot, lambda: screen.page is not None)
    return screen


def test_n_logs_a_call_and_adds_an_unknown_caller_as_a_contact(console, queue_desk) -> None:
    async def scenario() -> None:
        app = console("ari")  # an agent
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert app.check_action("act", ("new_request",))
            await pilot.press("N")
            await wait_until(pilot, lambda: isinstance(app.screen, NewRequestScreen))
            await pilot.press(*"shel", "tab", *"Marge Simpson", "tab", *"555-0199")
            await pilot.press("tab", "tab", "tab", "tab", *"Trash pickup page is blank")
            await pilot.press("enter")
            await wait_until(pilot, lambda: any("in the queue" in m for m in messages(app)))
        with queue_desk.reading() as session:
            contact = session.scalars(select(Contact).where(Contact.name == "Marge Simpson")).one()
            row = session.scalars(select(Request).where(Request.contact_id == contact.id)).one()
            logged = session.scalars(
                select(Event).where(Event.kind == "contact.added", Event.entity_id == contact.id)
            ).one()
        assert (contact.phone, contact.designated_for_emergencies) == ("555-0199", False)
        assert logged.actor == "ari"
        assert (row.channel, row.summary, row.emergency) == (
            "call",
            "Trash pickup page is blank",
            False,
        )
        assert row.first_response_at == NOW  # a call answered live: responded at once

    asyncio.run(scenario())

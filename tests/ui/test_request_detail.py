"""The detail screen shows the whole request (issue 18): its fields at any status, the
contact's phone and e-mail, the mail it came by and the desk's replies, and its history in
the desk's words ("assigned to Abe by Dora, 3 h ago"), on the console's frozen clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from console.store import commands
from console.store.commands.notes import add_note
from console.store.commands.portal import desk_reply
from console.store.db import Database
from console.ui.screens.detail import DetailScreen
from tests.conftest import NOW
from tests.mail.intake_helpers import mail_desk, message, pipe
from tests.ui.conftest import console_on, loaded, wait_until

SIZE = (160, 45)


@pytest.fixture
def worked_desk(desk: Database) -> Database:
    """`desk` plus request 1: an e-mail from Dana Miller (Springfield, phone and address on
    file) at 06:30, assigned by dora to abe at 07:00, a note from ari at 08:00, 20 minutes
    of work by abe, and ari's reply at 09:45."""
    mail_desk(desk)
    pipe(
        desk,
        message(
            "Dana Miller <dmiller@springfield.example>",
            "Parking permit form rejects valid plates",
            body="Hello desk,\nthe permit form says every plate is invalid.\nDana\n",
            received="Wed, 02 Dec 2026 12:30:00 +0000",
        ),
        now=NOW - timedelta(hours=3, minutes=29),
    )
    rules = commands.Rules.defaults()
    with desk.session() as session:
        commands.assign(session, "dora", NOW - timedelta(hours=3), request_id=1, to="abe")
    with desk.session() as session:
        add_note(session, "ari", NOW - timedelta(hours=2), request_id=1, text="Known bug in 4.2")
    with desk.session() as session:
        commands.log_work(
            session, "abe", NOW - timedelta(minutes=20), rules, request_id=1,
            started_at=NOW - timedelta(minutes=40), ended_at=NOW - timedelta(minutes=20),
            note="Reproduced on staging",
        )  # fmt: skip
    with desk.session() as session:
        desk_reply(
            session, "ari", NOW - timedelta(minutes=15), request_id=1,
            body="Thanks Dana, we found it and are fixing it.",
        )  # fmt: skip
    return desk


def _text(widget) -> str:
    return "\n".join(line.text for line in widget.render_lines(widget.region.reset_offset))


@pytest.mark.parametrize("handle", ["ari", "dora", "lena"])
def test_the_detail_shows_the_whole_request(worked_desk, settings, handle) -> None:
    async def scenario() -> None:
        app = console_on(worked_desk, settings, NOW)(handle)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("enter")  # the only open request
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            screen = app.screen
            await wait_until(pilot, lambda: screen.page is not None)
            await pilot.pause()
            facts = _text(screen.query_one("#detail-facts"))
            assert "Dana Miller" in facts and "+1 555 010 0199" in facts
            assert "DMiller@Springfield.example" in facts
            thread = _text(screen.query_one("#detail-thread"))
            assert "Parking permit form rejects valid plates" in thread
            assert "the permit form says every plate is invalid." in thread
            assert "Thanks Dana, we found it and are fixing it." in thread
            history = _text(screen.query_one("#detail-history"))
            assert "logged as an e-mail by intake, 3 h ago" in history
            assert "assigned to Abe by Dora, 3 h ago" in history
            assert "note by Ari: Known bug in 4.2, 2 h ago" in history
            assert "Abe logged work (20 min): Reproduced on staging, 20 min ago" in history
            assert "first response recorded by Ari, 15 min ago" in history
            assert "assignee_id" not in history  # no raw columns
            # The work keys apply here, as the footer says.
            assert app.check_action("act", ("note",)) and app.check_action("act", ("resolve",))
            assert not app.check_action("act", ("reopen",))

    asyncio.run(scenario())


def test_a_resolved_request_shows_all_its_fields(worked_desk, settings) -> None:
    with worked_desk.session() as session:
        commands.resolve(session, "ari", NOW - timedelta(minutes=5), request_id=1)

    async def scenario() -> None:
        app = console_on(worked_desk, settings, NOW)("ari")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            app.jump_to(1)  # not in the queue: its detail opens
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            screen = app.screen
            await wait_until(pilot, lambda: screen.page is not None)
            await pilot.pause()
            facts = _text(screen.query_one("#detail-facts"))
            assert "resolved Wed Dec 02 09:55" in facts
            assert "Parking permit form rejects valid plates" in facts
            assert "Abe" in facts and "+1 555 010 0199" in facts
            assert "resolved by Ari, 5 min ago" in _text(screen.query_one("#detail-history"))
            assert app.check_action("act", ("reopen",))
            assert not app.check_action("act", ("resolve",))

    asyncio.run(scenario())

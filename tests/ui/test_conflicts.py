"""Two consoles on one Postgres desk act on the same row: the one that loses sees what the
row is now, in the desk's words, and `r` opens its own dialog again on the new version.
Nothing is written without a new choice, and `esc` writes nothing at all (issue #12)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from console.store import commands
from console.store.db import Database
from console.store.models import Event
from console.ui.app import SwitchboardApp
from console.ui.screens.dialogs import ConflictScreen, PickerScreen
from console.ui.screens.notice import NoticeScreen
from console.ui.widgets.escalations import EscalationPane
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]
SIZE = (160, 45)
ESCALATION = 1  # request 3's, with Technical (tests/ui/conftest.py)


def events(database: Database, kind: str) -> list[tuple[str, int]]:
    """(actor, entity id) of every event of `kind`, oldest first."""
    with database.engine.connect() as connection:
        found = connection.execute(
            select(Event.actor, Event.entity_id).where(Event.kind == kind).order_by(Event.id)
        )
        return [tuple(row) for row in found]


def holders(app: SwitchboardApp) -> dict[str, str]:
    screen = app.screen
    assert isinstance(screen, PickerScreen)
    return {c.key: c.holds for c in screen.candidates if getattr(c, "holds", "")}


async def write_lands(pilot, app: SwitchboardApp, *keys: str) -> None:
    """Press `keys` (the last one writes) and wait until the write is done or conflicted."""
    before = (app.writes_done, app.writes_conflicted)
    await pilot.press(*keys)
    await wait_until(pilot, lambda: (app.writes_done, app.writes_conflicted) != before)


@pytest.fixture
def technical_desk(queue_desk: Database) -> Database:
    with queue_desk.session() as session:
        commands.add_staff(
            session, "lena", NOW, handle="lou", name="Lou Park", role="lead", department="desk"
        )
        for handle, name in (("tom", "Tom Bell"), ("tia", "Tia Ruiz")):
            commands.add_staff(
                session, "lena", NOW, handle=handle, name=name, role="agent", department="technical"
            )
    return queue_desk


def test_the_loser_of_a_reassign_sees_the_new_holder_and_only_a_new_choice_writes(
    console, technical_desk: Database
) -> None:
    async def scenario() -> None:
        winner, loser = console("lena"), console("lou")
        async with winner.run_test(size=SIZE) as won, loser.run_test(size=SIZE) as lost:
            await loaded(won)
            await loaded(lost)
            pane = loser.query_one("#pane-technical", EscalationPane)
            for pilot in (won, lost):  # both open the picker on the same version
                await pilot.press("3", "r")
                await wait_until(pilot, lambda p=pilot: isinstance(p.app.screen, PickerScreen))
            await write_lands(won, winner, *"tom", "enter")
            await write_lands(lost, loser, *"tia", "enter")
            await wait_until(lost, lambda: isinstance(loser.screen, ConflictScreen))
            assert loser.writes_conflicted == 1
            assert loser.screen.message == (
                "Request #3 (Springfield) was changed by Lena Lead at 10:00 CT: "
                "now assigned to Tom Bell, Technical, position 1, reason 'Upload crashes'"
            )
            # r: the same picker, on the new version, with the new holder marked; no write.
            await lost.press("r")
            await wait_until(lost, lambda: isinstance(loser.screen, PickerScreen))
            assert loser.screen.title_text.startswith("Reassign")
            assert holders(loser) == {"tom": "now holds it"}
            await lost.press("escape")
            await wait_until(lost, lambda: not isinstance(loser.screen, PickerScreen))
            await wait_until(lost, lambda: pane.rows[ESCALATION].assignee == "tom")
            assert events(technical_desk, "escalation.reassigned") == [("lena", ESCALATION)]

            # A second race: this time the loser chooses again, and only that choice lands.
            await won.press("r")
            await lost.press("r")
            for pilot in (won, lost):
                await wait_until(pilot, lambda p=pilot: isinstance(p.app.screen, PickerScreen))
            await write_lands(won, winner, *"tess", "enter")
            await write_lands(lost, loser, *"tia", "enter")
            await wait_until(lost, lambda: isinstance(loser.screen, ConflictScreen))
            assert "changed by Lena Lead" in loser.screen.message
            assert "now assigned to Tess, Technical" in loser.screen.message
            await lost.press("r")
            await wait_until(lost, lambda: isinstance(loser.screen, PickerScreen))
            assert holders(loser) == {"tess": "now holds it"}
            assert len(events(technical_desk, "escalation.reassigned")) == 2
            await write_lands(lost, loser, *"tia", "enter")
            await wait_until(lost, lambda: pane.rows[ESCALATION].assignee == "tia")
            assert events(technical_desk, "escalation.reassigned") == [
                ("lena", ESCALATION),
                ("lena", ESCALATION),
                ("lou", ESCALATION),
            ]

    asyncio.run(scenario())


def test_the_loser_of_an_assign_gets_the_assign_picker_again(console, queue_desk) -> None:
    async def scenario() -> None:
        winner, loser = console("lena"), console("dora")
        async with winner.run_test(size=SIZE) as won, loser.run_test(size=SIZE) as lost:
            await loaded(won)
            await loaded(lost)
            target = loser.query_one(QueuePane).grid.cursor_key
            assert winner.query_one(QueuePane).grid.cursor_key == target
            for pilot in (won, lost):
                await pilot.press("a")
                await wait_until(pilot, lambda p=pilot: isinstance(p.app.screen, PickerScreen))
            assigned = len(events(queue_desk, "request.assigned"))
            await write_lands(won, winner, *"ari", "enter")
            await write_lands(lost, loser, *"abe", "enter")
            await wait_until(lost, lambda: isinstance(loser.screen, ConflictScreen))
            assert loser.screen.message.startswith(
                f"Request #{target} (Springfield) was changed by Lena Lead at 10:00 CT: "
                "now assigned to Ari"
            )
            await lost.press("r")
            await wait_until(lost, lambda: isinstance(loser.screen, PickerScreen))
            assert loser.screen.title_text.startswith("Assign to")
            assert holders(loser) == {"ari": "now holds it"}
            assert len(events(queue_desk, "request.assigned")) == assigned + 1
            await write_lands(lost, loser, *"abe", "enter")
            rows = loser.query_one(QueuePane).model.rows
            await wait_until(lost, lambda: rows[target].assignee == "abe")
            assert events(queue_desk, "request.assigned")[-2:] == [
                ("lena", target),
                ("dora", target),
            ]

    asyncio.run(scenario())


def test_a_notice_dialog_opens_again_after_a_conflict_and_not_once_it_is_given(
    night_console, night_desk
) -> None:
    async def scenario() -> None:
        winner, loser = night_console("lena"), night_console("dora")
        async with winner.run_test(size=SIZE) as won, loser.run_test(size=SIZE) as lost:
            await loaded(won)
            await loaded(lost)
            rows = loser.query_one(QueuePane).model.rows
            target = next(i for i, r in rows.items() if r.billing_state == "needs-notice")
            for app in (winner, loser):
                assert app.query_one(QueuePane).grid.move_to(target)
            # The loser opens the notice dialog; meanwhile the request is given to abe.
            await lost.press("n")
            await wait_until(lost, lambda: isinstance(loser.screen, NoticeScreen))
            await won.press("a")
            await wait_until(won, lambda: isinstance(winner.screen, PickerScreen))
            await write_lands(won, winner, *"abe", "enter")
            await write_lands(lost, loser, "enter")
            await wait_until(lost, lambda: isinstance(loser.screen, ConflictScreen))
            assert loser.screen.message == (
                f"Request #{target} (Shelbyville) was changed by Lena Lead at 22:00 CT: "
                "now assigned to Abe, needs a billing notice"
            )
            await lost.press("r")  # the notice dialog again, on the new version
            await wait_until(lost, lambda: isinstance(loser.screen, NoticeScreen))
            assert events(night_desk, "request.billing-notified") == []

            # Before the loser's Enter, the winner records the notice: nothing left to ask.
            await won.press("n")
            await wait_until(won, lambda: isinstance(winner.screen, NoticeScreen))
            await write_lands(won, winner, "enter")
            await write_lands(lost, loser, "enter")
            await wait_until(lost, lambda: isinstance(loser.screen, ConflictScreen))
            assert loser.screen.message.endswith(
                "now assigned to Abe, billing notice given (nothing to do)"
            )
            assert loser.screen.retry is None
            await lost.press("r")  # not offered: nothing opens, nothing is written
            await lost.pause()
            assert isinstance(loser.screen, ConflictScreen)
            await lost.press("escape")
            await wait_until(lost, lambda: not isinstance(loser.screen, ConflictScreen))
            assert events(night_desk, "request.billing-notified") == [("lena", target)]

    asyncio.run(scenario())

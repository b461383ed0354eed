"""Pictures of the console with a frozen clock and a fixed desk, at 160x45 and 100x30.

Regenerate after a deliberate change with `pytest tests/ui/test_snapshots.py
--snapshot-update`, then look at the pictures (the failure report shows both).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.clock import FrozenClock
from console.store import commands
from console.ui.screens.dialogs import ConfirmScreen, ConflictScreen, PickerScreen, TextScreen
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until

# NOW (tests/conftest.py) is Wednesday 2 December 2026, 10:00 in Chicago: open.
SIZES = [(160, 45), (100, 30)]
#: Wednesday 2 December 2026, 21:30 in Chicago: closed for the night.
EVENING = datetime(2026, 12, 3, 3, 30, tzinfo=UTC)
#: Friday 25 December 2026, 10:00 in Chicago: Christmas Day.
CHRISTMAS = datetime(2026, 12, 25, 16, 0, tzinfo=UTC)

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def settle(pilot) -> None:
    await loaded(pilot)
    bar = pilot.app.query_one("#status-bar")
    await wait_until(pilot, lambda: "POLLING" in str(bar.render()))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, console, size) -> None:
    assert snap_compare(console(), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_detail_screen(snap_compare, console, size) -> None:
    async def open_detail(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        screen = pilot.app.screen
        await wait_until(
            pilot, lambda: "Loading" not in str(screen.query_one("#detail-facts").render())
        )

    assert snap_compare(console(), terminal_size=size, run_before=open_detail)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, console, size) -> None:
    async def open_help(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")

    assert snap_compare(console(), terminal_size=size, run_before=open_help)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_after_hours(snap_compare, console, size) -> None:
    assert snap_compare(console(clock=FrozenClock(EVENING)), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_holiday(snap_compare, console, size) -> None:
    assert snap_compare(
        console(clock=FrozenClock(CHRISTMAS)), terminal_size=size, run_before=settle
    )


def test_assign_picker(snap_compare, console) -> None:
    async def open_picker(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "a")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PickerScreen))

    assert snap_compare(console("dora"), terminal_size=(160, 45), run_before=open_picker)


def test_move_dialog(snap_compare, console) -> None:
    async def open_move(pilot) -> None:
        await settle(pilot)
        await pilot.press("3", "m", *"Quote needed")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, TextScreen))

    assert snap_compare(console("lena"), terminal_size=(160, 45), run_before=open_move)


def test_bulk_confirmation(snap_compare, console) -> None:
    async def confirm(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "space", "space", "space", "a", *"abe", "enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))

    assert snap_compare(console("lena"), terminal_size=(160, 45), run_before=confirm)


def test_conflict_message(snap_compare, console, queue_desk) -> None:
    async def conflict(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "a")
        with queue_desk.session() as session:
            commands.assign(
                session,
                "lena",
                NOW,
                request_id=pilot.app.query_one(QueuePane).grid.cursor_key,
                to="ari",
            )
        await wait_until(
            pilot,
            lambda: (
                pilot.app.query_one(QueuePane)
                .model.rows[pilot.app.query_one(QueuePane).grid.cursor_key]
                .assignee
                == "ari"
            ),
        )
        await pilot.press(*"abe", "enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConflictScreen))

    assert snap_compare(console("dora"), terminal_size=(160, 45), run_before=conflict)

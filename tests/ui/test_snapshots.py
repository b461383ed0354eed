"""Pictures of the console with a frozen clock and a fixed desk, at 160x45, 100x30 and
80x24.

Regenerate after a deliberate change with `pytest tests/ui/test_snapshots.py
--snapshot-update`, then look at the pictures (the failure report shows both).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import TabbedContent

from console.clock import FrozenClock
from console.store import commands
from console.ui.screens.dialogs import ConfirmScreen, ConflictScreen, PickerScreen, TextScreen
from console.ui.screens.notice import NoticeScreen
from console.ui.screens.reports import ReportScreen
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import NIGHT, loaded, wait_until

# NOW (tests/conftest.py) is Wednesday 2 December 2026, 10:00 in Chicago: open.
SIZES = [(160, 45), (100, 30), (80, 24)]
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


def test_escalate_dialog(snap_compare, console) -> None:
    async def open_escalate(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "e", *"Needs a new module")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, TextScreen))

    assert snap_compare(console("ari"), terminal_size=(160, 45), run_before=open_escalate)


def test_reports_screen(snap_compare, night_console) -> None:
    async def open_reports(pilot) -> None:
        await settle(pilot)
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ReportScreen))
        title = pilot.app.screen.query_one("#reports-title")
        await wait_until(pilot, lambda: "as of" in str(title.render()))
        pilot.app.screen.query_one(TabbedContent).active = "tab-sla"  # response times
        await pilot.pause()

    assert snap_compare(night_console("dora"), terminal_size=(160, 45), run_before=open_reports)


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


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_saturday_night_with_an_unverified_emergency(snap_compare, night_console, size) -> None:
    """After hours: the alert strip names whom to call back, and what needs a notice."""

    async def on_unverified(pilot) -> None:
        await settle(pilot)
        await wait_until(pilot, lambda: pilot.app.query_one("#queue-alerts").display)
        pilot.app.query_one(QueuePane).grid.move_to(2)
        await pilot.pause()

    assert snap_compare(night_console(), terminal_size=size, run_before=on_unverified)


def test_verify_picker(snap_compare, night_console) -> None:
    async def open_picker(pilot) -> None:
        await settle(pilot)
        pilot.app.query_one(QueuePane).grid.move_to(2)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PickerScreen))

    assert snap_compare(night_console(), terminal_size=(160, 45), run_before=open_picker)


def test_billing_notice_dialog(snap_compare, night_console) -> None:
    async def open_notice(pilot) -> None:
        await settle(pilot)
        pilot.app.query_one(QueuePane).grid.move_to(1)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, NoticeScreen))
        await pilot.pause()

    assert snap_compare(night_console(), terminal_size=(160, 45), run_before=open_notice)


def test_emergency_in_an_on_call_gap(snap_compare, night_console, night_desk) -> None:
    late = NIGHT + timedelta(minutes=90)  # 23:30: nobody on call since 23:00

    async def alarm(pilot) -> None:
        await settle(pilot)
        with night_desk.session() as session:
            commands.log_call_answered(
                session,
                "tess",
                late,
                pilot.app.rules,
                customer="Shelbyville",
                contact="Mayor Hooper",
                summary="Water billing portal down",
                emergency=True,
            )
        coverage = pilot.app.query_one("#coverage")
        await wait_until(pilot, lambda: coverage.has_class("alarm"))
        await pilot.pause()

    assert snap_compare(
        night_console(clock=FrozenClock(late)), terminal_size=(160, 45), run_before=alarm
    )


def test_conflict_picker_again(snap_compare, console, queue_desk) -> None:
    """`r` in the conflict dialog: the assign picker again, the new holder marked."""

    async def again(pilot) -> None:
        await settle(pilot)
        await pilot.press("down", "a")
        target = pilot.app.query_one(QueuePane).grid.cursor_key
        with queue_desk.session() as session:
            commands.assign(session, "lena", NOW, request_id=target, to="ari")
        rows = pilot.app.query_one(QueuePane).model.rows
        await wait_until(pilot, lambda: rows[target].assignee == "ari")
        await pilot.press(*"abe", "enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConflictScreen))
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, PickerScreen))

    assert snap_compare(console("dora"), terminal_size=(160, 45), run_before=again)

"""Pictures of the work keys' screens (issue 18) with a frozen clock: the new-request
dialog (160x45 and 80x24), the reply and work dialogs, and the detail screen of a request
that came by mail (160x45 and 100x30).

Regenerate after a deliberate change with `pytest tests/ui/test_work_snapshots.py
--snapshot-update`, then look at the pictures.
"""

from __future__ import annotations

import pytest

from console.ui.screens.detail import DetailScreen
from console.ui.screens.new_request import NewRequestScreen
from console.ui.screens.work_dialogs import ComposeScreen, WorkScreen
from tests.conftest import NOW
from tests.ui.conftest import console_on, wait_until
from tests.ui.test_request_detail import worked_desk  # noqa: F401  (a fixture)
from tests.ui.test_snapshots import settle

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_new_request_dialog(snap_compare, console, size) -> None:
    async def typed(pilot) -> None:
        await settle(pilot)
        await pilot.press("N")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, NewRequestScreen))
        await pilot.press(*"spr", "tab", *"Ma")
        await pilot.pause()

    assert snap_compare(console("ari"), terminal_size=size, run_before=typed)


def test_new_request_with_a_new_caller(snap_compare, console) -> None:
    async def typed(pilot) -> None:
        await settle(pilot)
        await pilot.press("N")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, NewRequestScreen))
        await pilot.press(*"shel", "tab", *"Marge Simpson", "tab", *"555-0199")
        await pilot.press("tab", "tab", "tab", "tab", *"Trash pickup page is blank")
        await pilot.pause()

    assert snap_compare(console("ari"), terminal_size=(80, 24), run_before=typed)


def test_reply_dialog(snap_compare, console) -> None:
    async def typed(pilot) -> None:
        await settle(pilot)
        pilot.app.query_one("#queue-grid").move_to(1)  # an e-mail request
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ComposeScreen))
        await pilot.press(*"Fixed: please upload the PDF again.", "enter", *"Ari")
        await pilot.pause()

    assert snap_compare(console("ari"), terminal_size=(160, 45), run_before=typed)


def test_work_dialog(snap_compare, console) -> None:
    async def typed(pilot) -> None:
        await settle(pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, WorkScreen))
        await pilot.press(*"25", "tab", *"Cleared the cache")
        await pilot.pause()

    assert snap_compare(console("dora"), terminal_size=(160, 45), run_before=typed)


@pytest.mark.parametrize("size", [(160, 45), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_detail_of_a_mailed_request(snap_compare, worked_desk, settings, size) -> None:  # noqa: F811
    async def opened(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, DetailScreen))
        await wait_until(pilot, lambda: pilot.app.screen.page is not None)
        await pilot.pause()

    app = console_on(worked_desk, settings, NOW)("ari")
    assert snap_compare(app, terminal_size=size, run_before=opened)

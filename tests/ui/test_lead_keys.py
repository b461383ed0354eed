"""Lead and dispatcher actions from the keyboard, with each role, refusals included."""

from __future__ import annotations

import asyncio

from console.store import commands
from console.store.db import Database
from console.ui.app import SwitchboardApp
from console.ui.screens.dialogs import ConfirmScreen, ConflictScreen, PickerScreen, TextScreen
from console.ui.widgets.escalations import EscalationPane
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until

SIZE = (160, 45)


def rows(app: SwitchboardApp):
    return app.query_one(QueuePane).model.rows


def technical(app: SwitchboardApp) -> EscalationPane:
    return app.query_one("#pane-technical", EscalationPane)


def footer_actions(app: SwitchboardApp) -> set[str]:
    """The actions the footer offers; an action object's key `act('assign')` as `assign`."""
    return {
        b.binding.action.removeprefix("act('").partition("'")[0]
        for b in app.screen.active_bindings.values()
        if b.binding.show and b.enabled
    }


async def notified(pilot, text: str) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: any(text in str(n.message) for n in app._notifications))


def test_dispatcher_assigns_with_the_picker(console) -> None:
    async def scenario() -> None:
        app = console("dora")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("down")
            target = app.query_one(QueuePane).grid.cursor_key
            assert "assign" in footer_actions(app) and "reassign" not in footer_actions(app)
            await pilot.press("a")
            assert isinstance(app.screen, PickerScreen)
            assert f"#{target}" in str(app.screen.targets)
            await pilot.press(*"ab", "enter")  # filter to abe
            await wait_until(pilot, lambda: rows(app)[target].assignee == "abe")
            # Undo within 60 s puts it back, as a new audited action.
            await pilot.press("u")
            await wait_until(pilot, lambda: rows(app)[target].assignee is None)

    asyncio.run(scenario())


def test_agent_may_escalate_but_not_assign(console) -> None:
    async def scenario() -> None:
        app = console("ari")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert "assign" not in footer_actions(app) and "escalate" in footer_actions(app)
            await pilot.press("a")
            await notified(pilot, "only dispatchers and leads assign")
            assert not isinstance(app.screen, PickerScreen)
            await pilot.press("down", "down")
            target = app.query_one(QueuePane).grid.cursor_key
            await pilot.press("e")
            assert isinstance(app.screen, TextScreen)
            await pilot.press(*"Needs a new module", "enter")  # first kind: additional-services
            await wait_until(pilot, lambda: rows(app)[target].escalated)
            care = app.query_one("#pane-customer-care", EscalationPane)
            await wait_until(pilot, lambda: any(r.request_id == target for r in care.rows.values()))

    asyncio.run(scenario())


def test_tab_in_the_escalate_dialog_changes_the_kind_and_keeps_the_reason(console) -> None:
    async def scenario() -> None:
        app = console("ari")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("down", "down")
            target = app.query_one(QueuePane).grid.cursor_key
            await pilot.press("e")
            dialog = app.screen
            assert isinstance(dialog, TextScreen)
            kinds = [str(o.prompt) for o in dialog.query_one("#text-choices").options]
            assert [k.split("·")[0].strip() for k in kinds] == [
                "Customer Care",
                "Technical",
                "Named person",
            ]
            assert "Tab" in str(dialog.query_one("#text-hint").render())
            await pilot.press(*"Search is broken", "tab")  # to Technical
            assert app.screen is dialog
            assert dialog.query_one("#text-value").value == "Search is broken"
            assert dialog.query_one("#text-value").has_focus
            await pilot.press("enter")
            technical = app.query_one("#pane-technical", EscalationPane)
            await wait_until(
                pilot, lambda: any(r.request_id == target for r in technical.rows.values())
            )
            row = next(r for r in technical.rows.values() if r.request_id == target)
            assert row.reason == "Search is broken"

    asyncio.run(scenario())


def test_marked_rows_are_assigned_together_after_confirmation(console) -> None:
    async def scenario() -> None:
        app = console("lena")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            grid = app.query_one(QueuePane).grid
            await pilot.press("down")
            first = grid.cursor_key
            await pilot.press("space")
            second = grid.cursor_key
            await pilot.press("space")
            assert grid.marked == {first, second}
            await pilot.press("a", *"ari", "enter")
            assert isinstance(app.screen, ConfirmScreen)
            assert "2 requests" in app.screen.question
            assert f"#{first}" in app.screen.details and f"#{second}" in app.screen.details
            await pilot.press("y")
            await wait_until(
                pilot, lambda: rows(app)[first].assignee == rows(app)[second].assignee == "ari"
            )
            assert grid.marked == set()

    asyncio.run(scenario())


def test_lead_reassigns_and_moves_escalations_dispatcher_is_refused(console) -> None:
    async def scenario() -> None:
        dispatcher = console("dora")
        async with dispatcher.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("3", "r")
            await notified(pilot, "only leads reassign escalations")
            await pilot.press("m")
            await notified(pilot, "only leads move escalations")

        app = console("lena")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("3")
            assert "reassign" in footer_actions(app) and "move" in footer_actions(app)
            pane = technical(app)
            escalation = pane.grid.cursor_key
            await pilot.press("r")
            assert isinstance(app.screen, PickerScreen)
            assert [c.handle for c in app.screen.candidates] == ["tess"]  # technical staff
            await pilot.press("enter")
            await wait_until(pilot, lambda: pane.rows[escalation].assignee == "tess")
            await pilot.press("m")
            assert isinstance(app.screen, TextScreen)
            await pilot.press("enter")  # a reason is required
            assert isinstance(app.screen, TextScreen)
            await pilot.press(*"Quote for a new site", "enter")  # customer-care is first
            care = app.query_one("#pane-customer-care", EscalationPane)
            await wait_until(pilot, lambda: escalation in care.rows)
            assert escalation not in pane.rows

    asyncio.run(scenario())


def test_technical_lead_reorders_with_plus_minus_and_position(
    console, queue_desk: Database, rules
) -> None:
    with queue_desk.session() as session:
        for request_id in (4, 5):
            commands.escalate(session, "ari", NOW, request_id=request_id, kind="product")

    async def scenario() -> None:
        app = console("tess")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            pane = technical(app)
            await pilot.press("3")
            await wait_until(pilot, lambda: len(pane.rows) == 3)
            last = pane.grid.keys[-1]
            await pilot.press("end", "plus")
            await wait_until(pilot, lambda: pane.grid.keys.index(last) == 1)
            await pilot.press("P")
            await pilot.press("1", "enter")
            await wait_until(pilot, lambda: pane.grid.keys[0] == last)
            await pilot.press("minus")
            await wait_until(pilot, lambda: pane.grid.keys.index(last) == 1)
            assert [pane.rows[k].technical_priority for k in pane.grid.keys] == [1, 2, 3]
            await pilot.press("P", *"99", "enter")  # past the end means last
            await wait_until(pilot, lambda: pane.grid.keys[-1] == last)
            assert [pane.rows[k].technical_priority for k in pane.grid.keys] == [1, 2, 3]

        lead = console("lena")  # a desk lead is not a technical lead
        async with lead.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("3")
            assert "priority" not in footer_actions(lead)
            await pilot.press("plus")
            await notified(pilot, "only technical leads")

    asyncio.run(scenario())


def test_a_conflict_shows_the_row_now_and_r_asks_again_on_the_new_version(
    console, queue_desk: Database
) -> None:
    async def scenario() -> None:
        app = console("dora")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("down")
            target = app.query_one(QueuePane).grid.cursor_key
            await pilot.press("a")  # the dialog is open; meanwhile a lead assigns it
            with queue_desk.session() as session:
                commands.assign(session, "lena", NOW, request_id=target, to="ari")
            await wait_until(pilot, lambda: rows(app)[target].assignee == "ari")
            await pilot.press(*"abe", "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConflictScreen))
            assert app.screen.message.startswith(
                f"Request #{target} (Springfield) was changed by Lena Lead at 10:00 CT: "
                "now assigned to Ari"
            )
            await pilot.press("r")  # the picker again, the new holder marked; no write yet
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
            marked = {c.handle: c.holds for c in app.screen.candidates if c.holds}
            assert marked == {"ari": "now holds it"}
            assert rows(app)[target].assignee == "ari"
            await pilot.press(*"abe", "enter")
            await wait_until(pilot, lambda: rows(app)[target].assignee == "abe")

    asyncio.run(scenario())


def test_a_bulk_conflict_names_the_changed_rows_and_r_asks_again_for_those(
    console, queue_desk: Database
) -> None:
    async def scenario() -> None:
        app = console("lena")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            grid = app.query_one(QueuePane).grid
            await pilot.press("down", "space", "space")
            changed, other = [k for k in grid.keys if k in grid.marked]
            before = rows(app)[other].assignee
            await pilot.press("a")  # the picker is open; meanwhile dora assigns one of them
            with queue_desk.session() as session:
                commands.assign(session, "dora", NOW, request_id=changed, to="ari")
            await wait_until(pilot, lambda: rows(app)[changed].assignee == "ari")
            await pilot.press(*"abe", "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_until(pilot, lambda: isinstance(app.screen, ConflictScreen))
            customer = rows(app)[changed].customer
            assert app.screen.message == (
                f"Request #{changed} ({customer}) was changed by Dora at 10:00 CT: "
                "now assigned to Ari\n"
                f"Nothing was written to the other 1 selected (#{other}) either: "
                "mark them again to act on them."
            )
            await pilot.press("r")  # the picker again, for the changed row only
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
            assert app.screen.title_text == "Assign to · 1 selected"
            assert app.screen.targets.startswith(f"#{changed} ")
            await pilot.press(*"abe", "enter")
            await wait_until(pilot, lambda: rows(app)[changed].assignee == "abe")
            assert rows(app)[other].assignee == before

    asyncio.run(scenario())

"""The console driven from the keyboard, as a dispatcher would, on SQLite and Postgres."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from textual.command import CommandList

from console.store import commands
from console.store.commands import Rules
from console.store.db import Database
from console.ui.app import SwitchboardApp
from console.ui.screens.detail import DetailScreen
from console.ui.screens.help import HelpScreen
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until

SIZE = (160, 45)


def queue(app: SwitchboardApp) -> QueuePane:
    return app.query_one(QueuePane)


def shown(app: SwitchboardApp) -> list[int]:
    return list(queue(app).grid.keys)


def test_queue_shows_open_requests_emergency_first_then_least_time_left(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            order = shown(app)
            assert order[0] == 9  # the emergency is pinned on top
            rows = queue(app).model.rows
            dues = [rows[i].due_at for i in order[1:]]
            assert dues == sorted(dues)
            assert len(order) == 10

    asyncio.run(scenario())


def test_cursor_keys_and_enter_open_the_request_under_the_cursor(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            grid = queue(app).grid
            await pilot.press("j", "down")
            assert grid.cursor == 2
            await pilot.press("k")
            assert grid.cursor == 1
            expected = grid.cursor_key
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            screen = app.screen
            assert isinstance(screen, DetailScreen) and screen.request_id == expected
            facts = screen.query_one("#detail-facts")
            await wait_until(pilot, lambda: "Loading" not in str(facts.render()))
            await pilot.press("escape")
            assert not isinstance(app.screen, DetailScreen)
            # The focus comes back to the grid a moment after the screen is gone.
            await wait_until(pilot, lambda: app.focused is grid)
            await pilot.press("end")
            assert grid.cursor == len(grid.keys) - 1
            await pilot.press("home")
            assert grid.cursor == 0

    asyncio.run(scenario())


def test_filter_narrows_and_escape_clears(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("slash", *"shelby")
            rows = queue(app).model.rows
            assert shown(app) and all(rows[i].customer == "Shelbyville" for i in shown(app))
            assert len(shown(app)) == 4
            await pilot.press("enter")  # keep the filter, back to the table
            assert "filter" in queue(app).border_title
            await pilot.press("slash", "escape")
            assert len(shown(app)) == 10
            await pilot.press("slash", *"abe")  # assignee
            assert shown(app) == [2]

    asyncio.run(scenario())


def test_slash_finds_a_ticket_number_and_the_palette_offers_the_jump(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("slash", *"#7")
            assert shown(app) == [7]
            await pilot.press("escape")
            assert len(shown(app)) == 10
            # Before any digit is typed the palette lists the jump; choosing it opens the
            # filter, where the number finds the ticket.
            await pilot.press("ctrl+p", *"jump to")
            await wait_until(pilot, lambda: _highlighted(app) == "Jump to ticket…")
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.query_one("#queue-filter").has_focus)
            await pilot.press(*"10")
            assert shown(app) == [10]

    asyncio.run(scenario())


def test_sort_keys_change_the_order(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("s")  # ticket number
            assert shown(app)[1:] == sorted(shown(app)[1:])
            await pilot.press("S")  # descending
            assert shown(app)[1:] == sorted(shown(app)[1:], reverse=True)
            assert shown(app)[0] == 9  # emergencies stay pinned
            assert "ticket ↓" in queue(app).border_title

    asyncio.run(scenario())


def test_quick_filters_cycle(console) -> None:
    async def scenario() -> None:
        app = console(handle="abe")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("f")  # mine
            assert shown(app) == [2]
            await pilot.press("f")  # breached
            assert shown(app) == [10]
            await pilot.press("f")  # emergency
            assert shown(app) == [9]
            await pilot.press("f")  # unassigned
            assert 2 not in shown(app) and len(shown(app)) == 9
            await pilot.press("f")  # after hours: 7 and 8 came in before 07:00
            assert shown(app) == [7, 8]
            await pilot.press("f")  # triage: nothing from unknown senders here
            assert shown(app) == []
            await pilot.press("f")  # all
            assert len(shown(app)) == 10

    asyncio.run(scenario())


def test_panes_switch_with_tab_and_numbers(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert app.focused is not None and app.focused.id == "queue-grid"
            await pilot.press("3")
            assert app.focused.id == "esc-technical"
            await pilot.press("enter")  # the escalation's request opens
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            assert app.screen.request_id == 3
            await pilot.press("escape")
            await wait_until(pilot, lambda: getattr(app.focused, "id", None) == "esc-technical")
            await pilot.press("tab")
            assert app.focused.id == "esc-person"
            await pilot.press("tab")
            assert app.focused.id == "queue-grid"
            await pilot.press("2")
            assert app.focused.id == "esc-customer-care"
            await pilot.press("1")
            assert app.focused.id == "queue-grid"

    asyncio.run(scenario())


def test_help_screen_lists_the_bindings(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            ids = {binding_id for _, _, binding_id in app.screen.bindings}
            assert {"switchboard.quit", "switchboard.pause", "queue.filter"} <= ids
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)

    asyncio.run(scenario())


def test_help_screen_shows_the_demo_portal_note_as_plain_text(console) -> None:
    async def scenario() -> None:
        app = console()
        app.help_note = "Customer portal: http://127.0.0.1:8080/ [b]not markup[/b]"
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("question_mark")
            note = app.screen.query_one("#help-note")
            assert "[b]not markup[/b]" in str(note.render())

    asyncio.run(scenario())


def test_palette_jumps_to_a_ticket(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("ctrl+p", *"ticket 5")
            await wait_until(pilot, lambda: _highlighted(app) == "Jump to ticket 5")
            await pilot.press("enter")
            await wait_until(pilot, lambda: queue(app).grid.cursor_key == 5)

    asyncio.run(scenario())


def _highlighted(app: SwitchboardApp) -> str | None:
    """The prompt the command palette would run on Enter (its search is asynchronous)."""
    found = app.screen.query(CommandList)
    if not found or found.first().highlighted is None:
        return None
    option = found.first().highlighted_option
    return None if option is None else str(option.prompt).splitlines()[0]


def test_quit_key_exits(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("q")
            await wait_until(pilot, lambda: not app.is_running)

    asyncio.run(scenario())


def agent_writes(database: Database, settings, write: Callable) -> None:
    with database.session() as session:
        write(session, Rules.defaults())


def test_an_agents_write_appears_and_the_cursor_stays_on_its_request(
    console, queue_desk: Database, settings
) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            grid = queue(app).grid
            await pilot.press("down", "down", "down")
            watched = grid.cursor_key
            # Another agent logs a new emergency: it goes on top, above the cursor.
            agent_writes(
                queue_desk,
                settings,
                lambda s, rules: commands.log_request(
                    s,
                    "abe",
                    NOW,
                    rules,
                    channel="call",
                    customer="Shelbyville",
                    summary="Payments page errors",
                    emergency=True,
                ),
            )
            await wait_until(pilot, lambda: 11 in queue(app).model.rows)
            assert shown(app)[0] == 11
            assert grid.cursor_key == watched
            # A response to the request under the cursor updates its row in place.
            agent_writes(
                queue_desk,
                settings,
                lambda s, rules: commands.respond(s, "abe", NOW, request_id=watched),
            )
            await wait_until(pilot, lambda: queue(app).model.rows[watched].first_response_at)
            assert grid.cursor_key == watched

    asyncio.run(scenario())


def test_pause_holds_changes_until_resumed(console, queue_desk: Database, settings) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("p")
            assert app.paused and "PAUSED" in str(app.query_one("#status-bar").render())
            agent_writes(
                queue_desk,
                settings,
                lambda s, rules: commands.resolve(s, "abe", NOW, request_id=1),
            )
            await wait_until(pilot, lambda: bool(app.desk.held))
            assert 1 in queue(app).model.rows  # still shown while paused
            await pilot.press("p")
            assert 1 not in queue(app).model.rows

    asyncio.run(scenario())


def test_refresh_resorts_and_rereads(console) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            queue(app).model.order.reverse()  # a stale order on screen
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: shown(app)[0] == 9)
            rows = queue(app).model.rows
            dues = [rows[i].due_at for i in shown(app)[1:]]
            assert dues == sorted(dues)

    asyncio.run(scenario())


def test_countdown_ticks_from_the_clock_without_a_query(console) -> None:
    from console.clock import FrozenClock

    async def scenario() -> None:
        clock = FrozenClock(NOW)
        app = console(clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            pane = queue(app)
            row_id = pane.grid.keys[1]
            before = pane._cells(row_id)["sla"]
            clock.advance(timedelta(minutes=7))
            # The next tick redraws it (bounded wait: a busy machine delays the tick).
            await wait_until(pilot, lambda: pane._cells(row_id)["sla"] != before)

    asyncio.run(scenario())

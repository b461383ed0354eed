"""Nothing on the console moves by itself: its timers follow the console's clock, the
cursor does not blink in tests, a tick during shutdown is harmless, and the Textual
work-arounds check themselves at start-up and run apart from the clock tick.

These are what made snapshots and fault tests flaky on a busy machine: a picture taken
before or after the idle re-sort depending on wall time, a cursor caught mid-blink, and
`NoMatches 'StatusBar'` from a tick that landed while the app was closing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from textual import dom
from textual.widgets import Input

from console.clock import FrozenClock
from console.store import commands
from console.store.commands import Rules
from console.ui import app as app_module
from console.ui import textual_fixes
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SIZE = (160, 45)


@SQLITE
def test_the_idle_resort_waits_for_the_consoles_clock_not_the_wall(
    console, queue_desk, settings
) -> None:
    clock = FrozenClock(NOW)
    idle = timedelta(seconds=settings.console.idle_resort_seconds)

    async def scenario() -> None:
        app = console(clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            queue = app.query_one(QueuePane)
            await pilot.press("down")  # navigating: changes keep the order
            with queue_desk.session() as session:
                commands.log_request(
                    session,
                    "abe",
                    NOW,
                    Rules.defaults(),
                    channel="email",
                    customer="Shelbyville",
                    summary="Breached since Monday",
                    received_at=NOW - timedelta(days=2),
                )
            await wait_until(pilot, lambda: 11 in queue.model.rows)
            assert queue.grid.keys[-1] == 11 and queue.model.unsorted
            # However long the wall clock runs, the desk's clock has not moved: no re-sort.
            clock.advance(idle - timedelta(seconds=1))
            app._tick()
            assert queue.grid.keys[-1] == 11 and queue.model.unsorted
            clock.advance(timedelta(seconds=1))
            app._tick()
            assert not queue.model.unsorted
            assert list(queue.grid.keys).index(11) < len(queue.grid.keys) - 1
            assert 11 in queue.model.moved  # marked ↕

    asyncio.run(scenario())


@SQLITE
def test_input_fields_do_not_blink_and_nothing_animates_when_the_settings_say_so(
    console, settings
) -> None:
    assert not settings.console.cursor_blink and not settings.console.animations

    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert app.animation_level == "none"
            await pilot.press("slash")
            box = app.query_one("#queue-filter", Input)
            await wait_until(pilot, lambda: box.has_focus)
            await pilot.pause()
            assert box.cursor_blink is False

    asyncio.run(scenario())


@SQLITE
def test_by_default_the_cursor_blinks_and_the_console_animates(queue_desk) -> None:
    from console.settings import load_settings
    from tests.ui.conftest import console_on

    defaults = load_settings()
    assert defaults.console.cursor_blink and defaults.console.animations

    async def scenario() -> None:
        app = console_on(queue_desk, defaults, NOW)()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert app.animation_level != "none"
            await pilot.press("slash")
            box = app.query_one("#queue-filter", Input)
            await wait_until(pilot, lambda: box.has_focus)
            await pilot.pause()
            assert box.cursor_blink is True

    asyncio.run(scenario())


@SQLITE
def test_a_tick_after_shutdown_is_harmless(console) -> None:
    app = console()

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
        # The panes are gone now; a timer that fires late must not raise NoMatches, nor a
        # late cursor move ScreenStackError.
        app._tick()
        app._release_retained()
        app.desk_screen.follow_cursor()

    asyncio.run(scenario())
    assert not app.is_running


@SQLITE
def test_the_textual_work_arounds_run_on_their_own_timer(console, monkeypatch) -> None:
    released: list[str] = []
    monkeypatch.setattr(app_module, "release_dead_styles", lambda: released.append("styles"))

    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            before = len(released)
            app._tick()
            assert len(released) == before  # not part of the clock tick
            await wait_until(pilot, lambda: len(released) > before)

    asyncio.run(scenario())


def test_the_work_arounds_still_apply_to_the_pinned_textual(caplog) -> None:
    with caplog.at_level(logging.WARNING, logger=textual_fixes.__name__):
        assert textual_fixes.check_fixes() == []
    assert not caplog.records


def test_a_work_around_that_no_longer_applies_is_logged(monkeypatch, caplog) -> None:
    """As after a Textual upgrade: the cache is a plain method, watchers live elsewhere."""
    monkeypatch.setattr(
        textual_fixes._styles_cache.StylesCache, "get_inner_outer", lambda *args: None
    )
    monkeypatch.setattr(dom, "_watch", lambda *args, **kwargs: None)
    with caplog.at_level(logging.WARNING, logger=textual_fixes.__name__):
        problems = textual_fixes.check_fixes()
    assert [p.split(":")[0] for p in problems] == ["release_dead_styles", "release_dead_watchers"]
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]
    assert all("no longer applies" in r.getMessage() for r in caplog.records)

"""The bell for a new emergency or a new breach, and a keymap from the settings file."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from console.clock import FrozenClock
from console.settings import load_settings
from console.store import commands
from console.store.commands import Rules
from console.store.db import Database
from console.store.feed import Feed
from console.ui.app import Identity, make_app
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until


def test_a_new_emergency_and_a_new_breach_ring_once(
    console, queue_desk: Database, settings
) -> None:
    async def scenario() -> None:
        clock = FrozenClock(NOW)
        app = console(clock=clock)
        rings: list[str] = []
        app.bell = lambda: rings.append("ring")  # type: ignore[method-assign]
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)
            app._tick()  # a tick after the load, whenever the timer's own comes
            assert rings == []  # what was already breached at start does not ring
            with queue_desk.session() as session:
                commands.log_request(
                    session,
                    "abe",
                    NOW,
                    Rules.defaults(),
                    channel="call",
                    customer="Shelbyville",
                    summary="Site is down",
                    emergency=True,
                )
            await wait_until(pilot, lambda: 11 in app.query_one(QueuePane).model.rows)
            assert rings == ["ring"]
            assert 11 in app.query_one(QueuePane).flash_until
            # Request 7 is due at 11:00: one ring when the clock passes it, not every second.
            clock.set(NOW + timedelta(hours=1, minutes=1))
            await wait_until(pilot, lambda: len(rings) == 2)
            app._tick()
            app._tick()
            assert len(rings) == 2

    asyncio.run(scenario())


def test_the_bell_setting_silences_it(queue_desk: Database, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "quiet.toml"
    path.write_text('[console]\nbell = false\n\n[keymap]\n"switchboard.quit" = "ctrl+q"\n')
    settings = load_settings(path)
    clock = FrozenClock(NOW)
    app = make_app(
        settings,
        queue_desk,
        clock,
        Identity("dora"),
        feed=Feed(queue_desk.engine.url, clock=clock, poll_interval=0.05),
    )
    rings: list[str] = []
    app.bell = lambda: rings.append("ring")  # type: ignore[method-assign]

    async def scenario() -> None:
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)
            clock.set(NOW + timedelta(hours=2))  # several breaches
            app._tick()
            assert rings == []
            await pilot.press("q")  # rebound away from q
            assert app.is_running
            await pilot.press("ctrl+q")
            await wait_until(pilot, lambda: not app.is_running)

    asyncio.run(scenario())

"""The terminal shrinks to 60x20 and grows back, again and again, while another session
keeps writing: no exception, the keys still work, and the queue ends equal to the database."""

from __future__ import annotations

import asyncio
import random
import threading

import pytest

from console.clock import FrozenClock
from console.store import simulate
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.feed import Feed
from console.ui.app import Identity, make_app
from console.ui.screens.detail import DetailScreen
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.faults.conftest import matches_database, queue_rows
from tests.ui.conftest import PATIENCE, loaded, wait_until

SMALL, MEDIUM, LARGE = (60, 20), (100, 30), (160, 45)


def test_resizing_under_live_updates(
    queue_desk: Database, database_url: str, settings, request: pytest.FixtureRequest
) -> None:
    clock = FrozenClock(NOW)
    console_db = open_database(database_url)
    feed = Feed(database_url, clock=clock, poll_interval=0.05, safety_interval=0.5)
    app = make_app(settings, console_db, clock, Identity("dora"), feed=feed)
    writer_db = open_database(database_url)
    agents = simulate.Simulator(writer_db, clock, Rules.defaults(), random.Random(5))
    stop = threading.Event()

    def work() -> None:  # another session, writing about 20 times a second
        while not stop.is_set():
            agents.step()
            stop.wait(0.05)

    writer = threading.Thread(target=work)

    async def resize(pilot, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
        await pilot.resize_terminal(*size)
        narrow = size[0] < 140  # the console's compact layout below 140 columns
        await wait_until(
            pilot, lambda: tuple(app.size) == size and main.has_class("-narrow") == narrow
        )

    async def an_update_arrives(pilot) -> None:  # type: ignore[no-untyped-def]
        seen = queue_rows(app)
        await wait_until(pilot, lambda: queue_rows(app) != seen)

    async def scenario() -> None:
        nonlocal main
        async with app.run_test(size=LARGE) as pilot:
            await loaded(pilot)
            main = app.screen
            writer.start()
            for round_ in range(4):
                await resize(pilot, SMALL)
                await an_update_arrives(pilot)  # drawn while small
                if round_ == 1:  # the detail screen too, small and back
                    await pilot.press("enter")
                    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
                    await resize(pilot, LARGE)
                    await resize(pilot, SMALL)
                    await pilot.press("escape")
                    await wait_until(pilot, lambda: app.screen is main)
                await resize(pilot, MEDIUM if round_ % 2 else LARGE)
                await an_update_arrives(pilot)
                await pilot.press("down", "down", "up")  # a moving cursor meanwhile
            await resize(pilot, LARGE)
            stop.set()
            await asyncio.to_thread(writer.join, PATIENCE)
            await wait_until(pilot, lambda: matches_database(app, queue_desk))
            # Still answering keys: the sort moves on, the help screen opens and closes.
            queue = app.query_one(QueuePane)
            sort = queue.model.sort
            await pilot.press("s")
            assert queue.model.sort != sort
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: app.screen is not main)
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is main)
            assert not [n for n in app._notifications if n.title == "Internal error"]

    main = None
    try:
        asyncio.run(scenario())  # an exception in any handler or render ends up here
    finally:
        stop.set()
        if writer.is_alive():
            writer.join(PATIENCE)
        console_db.dispose()
        writer_db.dispose()
    assert agents.stats.total >= 8 and agents.stats.errors == 0, agents.stats.line()

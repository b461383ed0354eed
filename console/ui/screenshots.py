"""Make the README's pictures of the real console: `python -m console.ui.screenshots [DIR]`.

Each picture is taken headless on a freshly seeded demo desk (a temporary SQLite file)
with a frozen clock, so the same code always draws the same screens.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot

from console.clock import FrozenClock
from console.settings import load_settings
from console.store import demo, schema
from console.store.db import Database, open_database
from console.store.feed import Feed
from console.ui.app import Identity, SwitchboardApp, make_app
from console.ui.widgets.queue_pane import QueuePane

#: Monday 30 November 2026, 10:15 in Chicago: a busy Monday morning.
MONDAY = datetime(2026, 11, 30, 16, 15, tzinfo=UTC)
#: The same Monday, 21:30: closed for the night.
MONDAY_NIGHT = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
#: Thanksgiving Day 2026, 10:00 in Chicago.
THANKSGIVING = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)

Step = Callable[[Pilot[None]], Awaitable[None]]


async def _settled(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, SwitchboardApp)
    while not app.loaded:
        await pilot.pause(0.05)
    await pilot.pause(0.8)  # the footer and the panes settle


async def _detail(pilot: Pilot[None]) -> None:
    await pilot.press("down", "down", "enter")
    await pilot.pause(1.0)


async def _help(pilot: Pilot[None]) -> None:
    await pilot.press("question_mark")
    await pilot.pause(0.3)


async def _reports(pilot: Pilot[None]) -> None:
    await pilot.press("R")
    await pilot.pause(1.5)


async def _notice(pilot: Pilot[None]) -> None:
    """The after-hours quick filter, then `n` on the first request that needs a notice."""
    app = pilot.app
    assert isinstance(app, SwitchboardApp)
    for _ in range(5):
        await pilot.press("f")
    queue = app.query_one(QueuePane)
    notices = {r.id for r in app.desk.alerts(app.calendar, app.clock.now()).needs_notice}
    first = next((i for i in queue.grid.keys if i in notices), None)
    if first is not None:
        queue.grid.move_to(first)
        await pilot.press("n")
    await pilot.pause(0.5)


async def _new_request(pilot: Pilot[None]) -> None:
    """`N`, a customer and the first letters of a caller typed (issue 18)."""
    await pilot.press("N")
    await pilot.pause(1.0)
    await pilot.press(*"spr", "tab", *"ma")
    await pilot.pause(0.3)


def _seeded(folder: Path, name: str, now: datetime) -> Database:
    database = open_database(f"sqlite:///{folder / name}")
    schema.upgrade(database.engine)
    demo.seed(database, now, seed=7)
    return database


async def _shoot(
    database: Database,
    now: datetime,
    out: Path,
    name: str,
    size: tuple[int, int],
    step: Step | None,
) -> Path:
    settings = load_settings()
    clock = FrozenClock(now)
    feed = Feed(database.engine.url, clock=clock, poll_interval=0.1)
    handle = demo.DESK_LEAD
    app = make_app(settings, database, clock, Identity(handle), feed=feed)
    async with app.run_test(size=size) as pilot:
        await _settled(pilot)
        if step is not None:
            await step(pilot)
        path = Path(app.save_screenshot(filename=f"{name}.svg", path=str(out)))
    return path


def make_all(out: Path) -> list[Path]:
    """Write every picture into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        monday = _seeded(folder, "monday.sqlite3", MONDAY)
        holiday = _seeded(folder, "thanksgiving.sqlite3", THANKSGIVING)
        shots: list[tuple[Database, datetime, str, tuple[int, int], Step | None]] = [
            (monday, MONDAY, "main-160x45", (160, 45), None),
            (monday, MONDAY, "main-100x30", (100, 30), None),
            (monday, MONDAY, "detail", (160, 45), _detail),
            (monday, MONDAY, "help", (160, 45), _help),
            (monday, MONDAY, "new-request", (160, 45), _new_request),
            (monday, MONDAY, "new-request-80x24", (80, 24), _new_request),
            (monday, MONDAY_NIGHT, "after-hours", (160, 45), None),
            (monday, MONDAY_NIGHT, "billing-notice", (160, 45), _notice),
            (monday, MONDAY, "reports", (160, 45), _reports),
            (holiday, THANKSGIVING, "holiday", (160, 45), None),
        ]
        for database, now, name, size, step in shots:
            made.append(asyncio.run(_shoot(database, now, out, name, size, step)))
        monday.dispose()
        holiday.dispose()
    return made


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("screenshots")
    for path in make_all(target):
        print(path)

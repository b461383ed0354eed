"""What a dispatcher hit (issue 14, part 6), pressed as they would: a paused console still
raises new emergencies in the alert strip and rings, and says how much it holds; the
footer follows the row under the cursor; a keymap that names no binding or takes another
binding's key is refused at start in one line; a bug in a consumer of the feed shows an
error with its reason and does not bring the same batch back forever."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from console.cli import main
from console.clock import FrozenClock, SystemClock
from console.settings import load_settings
from console.store import commands
from console.store.commands import Rules
from console.store.db import Database
from console.store.feed import FeedStatus
from console.ui.app import make_app
from console.ui.keymap import KeymapError
from console.ui.model import Identity
from console.ui.screens.dialogs import ConfirmScreen
from console.ui.widgets.alerts import AlertStrip
from console.ui.widgets.queue_pane import QueuePane
from console.ui.widgets.status_bar import StatusBar
from tests.conftest import NOW
from tests.ui.conftest import NIGHT, loaded, wait_until

SIZE = (160, 45)


def strip(app) -> str:
    widget = app.query_one(AlertStrip)
    return str(widget.render()) if widget.display else ""


def status(app) -> str:
    return str(app.query_one(StatusBar).render())


def footer(app) -> list[str]:
    return [key.description for key in app.screen.query(FooterKey)]


def test_a_paused_console_still_raises_and_rings_for_a_new_emergency(
    night_console, night_desk: Database
) -> None:
    async def scenario() -> None:
        app = night_console()
        rings: list[str] = []
        app.bell = lambda: rings.append("ring")  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("p")
            assert "PAUSED (p)" in status(app)
            with night_desk.session() as session:
                commands.log_request(
                    session,
                    "ari",
                    NIGHT,
                    Rules.defaults(),
                    channel="call",
                    customer="Springfield",
                    contact="Clerk Smithers",
                    summary="Online payments fail",
                    emergency=True,
                )
            # The queue holds still, but the strip, the bell and the status bar do not.
            await wait_until(pilot, lambda: "#4 Springfield from Clerk Smithers" in strip(app))
            assert rings == ["ring"]
            assert 4 not in app.query_one(QueuePane).model.rows
            # One row held, though two events came: the request logged, its page opened.
            await wait_until(pilot, lambda: "PAUSED · 1 held (p)" in status(app))
            await pilot.press("p")
            assert 4 in app.query_one(QueuePane).model.rows
            assert "PAUSED" not in status(app)

    asyncio.run(scenario())


def test_a_paused_console_rings_for_a_new_breach(console) -> None:
    async def scenario() -> None:
        clock = FrozenClock(NOW)
        app = console(clock=clock)
        rings: list[str] = []
        app.bell = lambda: rings.append("ring")  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            app._tick()
            await pilot.press("p")
            clock.set(NOW + timedelta(hours=1, minutes=1))  # request 7 breaches at 11:00
            await wait_until(pilot, lambda: rings == ["ring"])

    asyncio.run(scenario())


def test_the_footer_drops_downgrade_once_the_row_is_downgraded(night_console) -> None:
    async def scenario() -> None:
        app = night_console("lena")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert app.query_one(QueuePane).grid.move_to(2)
            await pilot.pause()
            assert "Downgrade" in footer(app) and "Notice given" not in footer(app)
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_until(pilot, lambda: not app.desk.requests[2].emergency)
            await wait_until(pilot, lambda: "Notice given" in footer(app))
            assert app.query_one(QueuePane).grid.cursor_key == 2
            assert "Downgrade" not in footer(app) and "Verify" not in footer(app)

    asyncio.run(scenario())


def test_the_footer_follows_a_sort_that_moves_another_row_under_the_cursor(
    night_console,
) -> None:
    async def scenario() -> None:
        app = night_console("lena")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            grid = app.query_one(QueuePane).grid
            grid.cursor = 0
            await pilot.pause()
            for _ in range(3):  # quick filter: all, mine, breached, emergency
                await pilot.press("f")
                await pilot.pause()
                row = app.desk.request(grid.cursor_key)
                wanted = row is not None and row.emergency
                assert ("Downgrade" in footer(app)) == wanted, (grid.cursor_key, footer(app))

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("keymap", "said"),
    [
        ('"lead.asign" = "ctrl+a"', 'keymap: no binding has the id "lead.asign"'),
        (
            '"lead.assign" = "q"',
            'keymap: "lead.assign" = "q" takes q from "switchboard.quit"',
        ),
        ('"grid.down" = "s"', 'keymap: "grid.down" = "s" takes s from "switchboard.sort"'),
    ],
)
def test_a_keymap_that_names_no_binding_or_takes_a_key_is_refused(
    desk: Database, tmp_path: Path, keymap: str, said: str, capsys
) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(f"[keymap]\n{keymap}\n")
    settings = load_settings(path)
    with pytest.raises(KeymapError) as refused:
        make_app(settings, desk, SystemClock(), Identity("x"))
    assert str(refused.value).startswith(said)
    # From the command line: one line, a non-zero exit, no traceback, no console.
    url = desk.engine.url.render_as_string(hide_password=False)
    code = main(["--config", str(path), "console", "--database", url, "--as", "dora"])
    out, err = capsys.readouterr()
    assert code != 0
    assert err.count("\n") == 1 and said in err and not out, err


def test_a_keymap_may_swap_two_keys_and_rebind_a_dialog(desk: Database, tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    path.write_text('[keymap]\n"switchboard.sort" = "b"\n"lead.assign" = "s"\n"dialog.yes" = "j"\n')
    app = make_app(load_settings(path), desk, SystemClock(), Identity("x"))
    assert app is not None


def test_a_consumer_error_shows_the_reason_and_the_batch_is_not_redelivered(
    console, queue_desk: Database
) -> None:
    async def scenario() -> None:
        app = console()
        calls: list[frozenset] = []
        real = app.board.changes

        def failing_once(touched, *args, **kwargs):
            calls.append(frozenset(touched))
            if len(calls) == 1:
                raise KeyError("no column 'colour' on this row")
            return real(touched, *args, **kwargs)

        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            app.board.changes = failing_once  # type: ignore[method-assign]
            with queue_desk.session() as session:
                commands.resolve(session, "abe", NOW, request_id=1)
            await wait_until(pilot, lambda: "ERROR" in status(app))
            assert "KeyError" in status(app) and "colour" in status(app)
            assert app.feed.state.status is FeedStatus.ERROR
            # Later changes still arrive, and the failed batch did not come back.
            with queue_desk.session() as session:
                commands.resolve(session, "abe", NOW, request_id=4)
            await wait_until(pilot, lambda: 4 not in app.desk.requests)
            assert len(calls) == 2 and calls[0] != calls[1]
            assert 1 in app.desk.requests  # the skipped change: a reload brings it
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: 1 not in app.desk.requests)
            await wait_until(pilot, lambda: "ERROR" not in status(app))

    asyncio.run(scenario())

"""A console open all day must not keep what it no longer shows (issue 6's tail latency).

Each dialog rebuilt the footer, and Textual kept every old footer key alive through a
watcher on the footer, and the style caches of closed widgets through an `lru_cache`
(see console/ui/textual_fixes.py): the acting console's full garbage collections grew
until they stalled its writes. The console's tick now lets both go.
"""

from __future__ import annotations

import asyncio

import pytest
from textual import _styles_cache
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from console.ui.screens.dialogs import PickerScreen
from tests.ui.conftest import loaded, wait_until

#: Enough to show growth per dialog (each round adds at least one watched dead key) and
#: its release; the growth is linear, so more rounds prove nothing more.
ROUNDS = 10


def footer_watchers(app) -> int:
    footer = app.screen_stack[0].query_one(Footer)
    return sum(len(v) for v in getattr(footer, "__watchers", {}).values())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_dialogs_opened_all_day_leave_nothing_behind(console, monkeypatch) -> None:
    from console.ui import app as app_module

    held = {"on": False}  # while on, the once-a-second clean-up does nothing
    for name in ("release_dead_styles", "release_dead_watchers"):
        real = getattr(app_module, name)
        monkeypatch.setattr(
            app_module, name, lambda *a, _real=real: None if held["on"] else _real(*a)
        )

    async def scenario() -> None:
        app = console("lena")
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)
            app._release_retained()
            keys_shown = len(app.screen.query(FooterKey))
            settled = footer_watchers(app)
            assert settled <= keys_shown + 1  # one per key on screen (and the footer's own)
            held["on"] = True
            for _ in range(ROUNDS):
                await pilot.press("a")
                await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
                await pilot.press("escape")
                await wait_until(pilot, lambda: not isinstance(app.screen, PickerScreen))
            # Before the tick: the footer was rebuilt twice a round, and the dead keys of
            # every rebuild are still watched (this is what grew without bound).
            assert footer_watchers(app) > settled + ROUNDS
            held["on"] = False
            app._release_retained()
            assert footer_watchers(app) <= len(app.screen.query(FooterKey)) + 1
            pinned = _styles_cache.StylesCache.get_inner_outer.cache_info().currsize
            assert pinned == 0

    asyncio.run(scenario())

"""A lost connection never blanks the console: it says so, keeps its data, and catches up."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import make_url

from console.clock import FrozenClock
from console.store import commands
from console.store.commands import Rules
from console.store.db import open_database
from console.store.feed import Feed, FeedStatus
from console.ui.app import Identity, make_app
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.tcp_proxy import Proxy
from tests.ui.conftest import loaded, wait_until


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_outage_shows_reconnecting_and_changes_made_meanwhile_arrive(
    queue_desk, database_url: str, settings
) -> None:
    url = make_url(database_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    console_db = open_database(through_proxy, pool_pre_ping=True)
    clock = FrozenClock(NOW)
    feed = Feed(through_proxy, clock=clock, safety_interval=0.5, max_backoff=0.2)
    app = make_app(settings, console_db, clock, Identity("dora"), feed=feed)
    rules = Rules.defaults()

    async def scenario() -> None:
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)
            pane = app.query_one(QueuePane)
            await wait_until(pilot, lambda: feed.state.status is FeedStatus.LIVE)
            before = dict(pane.model.rows)
            proxy.cut()
            bar = app.query_one("#status-bar")
            await wait_until(pilot, lambda: "RECONNECTING" in str(bar.render()))
            assert app.query_one("#main").has_class("stale")
            assert pane.model.rows == before  # the last data stays on screen
            with queue_desk.session() as session:  # the desk keeps working meanwhile
                commands.resolve(session, "abe", NOW, request_id=1)
                commands.log_request(
                    session,
                    "abe",
                    NOW,
                    rules,
                    channel="email",
                    customer="Shelbyville",
                    summary="Logged during the outage",
                )
            # Nothing arrives while cut off, though the console tried twice after the writes.
            tried = proxy.refused
            await wait_until(pilot, lambda: proxy.refused >= tried + 2)
            assert 1 in pane.model.rows and 11 not in pane.model.rows
            proxy.restore()
            await wait_until(pilot, lambda: 11 in pane.model.rows and 1 not in pane.model.rows)
            await wait_until(pilot, lambda: "LIVE" in str(bar.render()))
            assert not app.query_one("#main").has_class("stale")

    try:
        asyncio.run(scenario())
    finally:
        console_db.dispose()
        proxy.close()

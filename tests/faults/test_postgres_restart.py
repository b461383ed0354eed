"""Postgres goes away (every backend of the desk database terminated, new connections
refused, as in a server restart) while a console and agents are working."""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from console.clock import FrozenClock
from console.store import simulate
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.feed import Feed, FeedStatus
from console.ui.app import Identity, make_app
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW, PG_SERVER
from tests.faults.conftest import (
    assert_one_line_failure,
    count_events,
    matches_database,
    postgres_down,
    queue_rows,
    requests_with_summary,
    switchboard,
    terminate_backends,
)
from tests.ui.conftest import PATIENCE, loaded, wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


def _agent_env(database_url: str, handle: str) -> dict[str, str]:
    return {"SWITCHBOARD_DATABASE_URL": database_url, "SWITCHBOARD_USER": handle}


def test_console_and_agents_ride_out_a_restart(
    queue_desk: Database, database_url: str, settings
) -> None:
    rules = Rules.defaults()
    clock = FrozenClock(NOW)
    console_db = open_database(database_url)
    agents_db = open_database(database_url)
    feed = Feed(database_url, clock=clock, safety_interval=0.5, max_backoff=0.2)
    app = make_app(settings, console_db, clock, Identity("dora"), feed=feed)
    stop = threading.Event()
    agents = simulate.Simulator(agents_db, clock, rules, random.Random(8))

    def work() -> None:  # several agents, one action after another, about 20 a second
        while not stop.is_set():
            agents.step()
            stop.wait(0.05)

    working = threading.Thread(target=work)
    marker = f"Logged during the restart {uuid.uuid4().hex[:8]}"
    agent = _agent_env(database_url, "ari")
    new_ticket = ["ticket", "new", "--customer", "Springfield", "--channel", "email"]

    async def scenario() -> None:
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)
            bar = app.query_one("#status-bar")
            await wait_until(pilot, lambda: feed.state.status is FeedStatus.LIVE)
            working.start()
            await wait_until(pilot, lambda: agents.stats.total >= 10)

            with postgres_down(database_url):
                await wait_until(pilot, lambda: "RECONNECTING" in str(bar.render()))
                assert app.query_one("#main").has_class("stale")
                kept = queue_rows(app)
                assert kept  # the last data stays on screen, dimmed
                # The agents keep trying and fail; so does an agent at the command line,
                # with one line, and nothing of it is written.
                errors = agents.stats.errors
                await wait_until(pilot, lambda: agents.stats.errors >= errors + 3)
                failed = await asyncio.to_thread(
                    switchboard, *new_ticket, "--summary", marker, env=agent
                )
                assert_one_line_failure(failed, "not currently accepting connections")
                assert queue_rows(app) == kept
                assert "RECONNECTING" in str(bar.render())

            # Back without a key press: live again, not dimmed.
            await wait_until(pilot, lambda: "LIVE" in str(bar.render()))
            assert not app.query_one("#main").has_class("stale")
            assert requests_with_summary(queue_desk, marker) == []
            retried = await asyncio.to_thread(
                switchboard, *new_ticket, "--summary", marker, env=agent
            )
            assert retried.code == 0, retried
            (request_id,) = requests_with_summary(queue_desk, marker)
            assert retried.out.strip() == str(request_id)
            logged = dict(entity="request", entity_id=request_id, kind="request.logged")
            assert count_events(queue_desk, **logged) == 1
            await wait_until(pilot, lambda: request_id in queue_rows(app))

            # The agents carry on after the restart; then everyone stops and the console
            # must hold exactly what the database holds.
            after = agents.stats.total
            await wait_until(pilot, lambda: agents.stats.total >= after + 10)
            stop.set()
            await asyncio.to_thread(working.join, PATIENCE)
            await wait_until(pilot, lambda: matches_database(app, queue_desk))
            sort = app.query_one(QueuePane).model.sort
            await pilot.press("s")  # and it still answers keys
            assert app.query_one(QueuePane).model.sort != sort

    try:
        asyncio.run(scenario())
    finally:
        stop.set()
        if working.is_alive():
            working.join(PATIENCE)
        console_db.dispose()
        agents_db.dispose()


def test_a_command_cut_off_mid_transaction_fails_in_one_line_and_its_retry_lands_once(
    queue_desk: Database, database_url: str
) -> None:
    """The agent's backend is terminated while its write waits on a row lock: one line,
    nothing written; the retry lands exactly once."""
    name = make_url(database_url).database
    agent = _agent_env(database_url, "dora")
    admin = open_database(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    holder = open_database(database_url)
    assigned = dict(entity="request", entity_id=1, kind="request.assigned")
    try:
        with holder.engine.connect() as lock:
            lock.execute(text("SELECT id FROM requests WHERE id = 1 FOR UPDATE"))
            result: list = []
            command = threading.Thread(
                target=lambda: result.append(
                    switchboard("ticket", "assign", "1", "--to", "abe", env=agent)
                )
            )
            command.start()
            waiting = "wait_event_type = 'Lock'"
            deadline = time.monotonic() + PATIENCE  # a cold start of the CLI, on a busy machine
            with admin.engine.connect() as connection:
                while not terminate_backends(connection, name, waiting):
                    assert command.is_alive(), f"it never waited on the lock: {result}"
                    assert time.monotonic() < deadline, "the command never waited on the lock"
                    command.join(0.05)
            command.join(PATIENCE)
            lock.rollback()
        (failed,) = result
        assert_one_line_failure(failed, "terminating connection")
        assert count_events(queue_desk, **assigned) == 0

        retried = switchboard("ticket", "assign", "1", "--to", "abe", env=agent)
        assert retried.code == 0, retried
        assert count_events(queue_desk, **assigned) == 1
    finally:
        holder.dispose()
        admin.dispose()


def test_a_console_opened_while_the_database_restarts_loads_when_it_is_back(
    queue_desk: Database, database_url: str, settings
) -> None:
    """The CLI checked the schema, then the server went away before the first load."""
    clock = FrozenClock(NOW)
    console_db = open_database(database_url)
    feed = Feed(database_url, clock=clock, safety_interval=0.5, max_backoff=0.2)
    app = make_app(settings, console_db, clock, Identity("dora"), feed=feed)

    async def scenario() -> None:
        with postgres_down(database_url) as outage:
            async with app.run_test(size=(160, 45)) as pilot:
                bar = app.query_one("#status-bar")
                await wait_until(pilot, lambda: "RECONNECTING" in str(bar.render()))
                assert not app.loaded
                outage.restore()
                await wait_until(pilot, lambda: app.loaded)
                await wait_until(pilot, lambda: "LIVE" in str(bar.render()))
                assert matches_database(app, queue_desk)
                assert not [n for n in app._notifications if n.title == "Internal error"]

    try:
        asyncio.run(scenario())
    finally:
        console_db.dispose()

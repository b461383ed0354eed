"""A change made with psql, as a desk member's own login, reaches a running console
without a key press: the database records the event and sends the NOTIFY itself."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import text

from console.store.db import Database
from console.ui.app import SwitchboardApp
from console.ui.widgets.queue_pane import QueuePane
from tests.security.test_audit_trigger import granted, logins, psql  # noqa: F401 (fixtures)
from tests.ui.conftest import loaded, wait_until


def due_of(app: SwitchboardApp, request_id: int) -> datetime | None:
    return app.query_one(QueuePane).model.rows[request_id].due_at


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_psql_update_shows_on_a_running_console(
    console,
    queue_desk: Database,
    database_url: str,
    granted: dict[str, str],  # noqa: F811
) -> None:
    with queue_desk.engine.connect() as connection:
        request_id, due = connection.execute(
            text("SELECT id, due_at FROM requests WHERE due_at IS NOT NULL ORDER BY id LIMIT 1")
        ).one()

    async def scenario() -> None:
        app = console()
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)
            assert due_of(app, request_id) == due
            statement = (
                f"UPDATE requests SET due_at = due_at + interval '3 days' WHERE id = {request_id}"
            )
            ok, err = await asyncio.to_thread(psql, database_url, granted["ari"], statement)
            assert ok, err
            await wait_until(pilot, lambda: due_of(app, request_id) != due, timeout=10)
            assert (due_of(app, request_id) - due).days == 3

    asyncio.run(scenario())

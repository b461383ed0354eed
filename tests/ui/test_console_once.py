"""A console action whose COMMIT loses its connection is retried under the key made when
the key was pressed: it lands exactly once, whether or not the first COMMIT took effect."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from console.store.db import Database
from console.store.models import Event, IdempotencyKey
from console.ui.widgets.queue_pane import QueuePane
from tests.lost_commit import lose_commit_answer
from tests.ui.conftest import loaded, wait_until


def assignments(database: Database) -> tuple[int, int]:
    with database.session() as session:
        events = session.scalar(
            select(func.count()).select_from(Event).where(Event.kind == "request.assigned")
        )
        keys = session.scalar(select(func.count()).select_from(IdempotencyKey))
    return events, keys


@pytest.mark.parametrize("landed", [True, False], ids=["landed", "not-landed"])
def test_an_assignment_cut_at_commit_lands_once(
    console, queue_desk: Database, monkeypatch: pytest.MonkeyPatch, landed: bool
) -> None:
    before = assignments(queue_desk)

    async def scenario() -> None:
        app = console("dora")
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)
            await pilot.press("down")
            target = app.query_one(QueuePane).grid.cursor_key
            lost = lose_commit_answer(monkeypatch, landed=landed)
            await pilot.press("a", *"ab", "enter")  # the picker, filtered to abe
            await wait_until(
                pilot, lambda: app.query_one(QueuePane).model.rows[target].assignee == "abe"
            )
            await wait_until(pilot, lambda: app.writes_done == 1)
            assert lost == [1]
            titles = [n.title for n in app._notifications]
            assert "Done" in titles and "Not done" not in titles

    asyncio.run(scenario())
    assert assignments(queue_desk) == (before[0] + 1, before[1] + 1)

"""A lead's policy change reaches a running console through the feed, with no key press:
the top line, the calendar and the re-timed requests' countdowns follow it."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import partial

from console.domain.policy import add_closure
from console.domain.sla import TimerState
from console.store.commands.policy import change_policy
from console.store.db import Database
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until

SIZE = (160, 45)


def test_a_closure_reaches_a_running_console_without_a_key_press(
    console, queue_desk: Database
) -> None:
    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            bar, queue = app.query_one("#status-bar"), app.query_one(QueuePane)
            assert "OPEN until 19:00" in str(bar.render())
            before = queue.model.rows[1].due_at
            with queue_desk.session() as session:  # another process: the lead's CLI
                change_policy(
                    session,
                    "lena",
                    NOW,
                    edit=partial(add_closure, day=date(2026, 12, 2), name="Ice storm"),
                    reason="roads closed",
                    what="closure add 2026-12-02",
                )
            await wait_until(pilot, lambda: "Ice storm" in str(bar.render()))
            await wait_until(pilot, lambda: queue.model.rows[1].due_at != before)
            row = queue.model.rows[1]
            assert queue.sla is app.sla and app.calendar.holiday_name(date(2026, 12, 2))
            assert row.due_at == app.sla.due_at(row.channel, row.received_at, row.emergency)
            # Closed all day now: the business clock waits for Thursday.
            assert app.sla.timer(row, NOW).state is TimerState.PAUSED
            assert "OPEN" not in str(bar.render())

    asyncio.run(scenario())

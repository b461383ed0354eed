"""Two leads, two consoles, one escalation, the same key at the same moment: exactly one
wins each time, the other sees who changed it, and the audit log holds only the winners."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
from sqlalchemy import func, select

from console.clock import FrozenClock
from console.store import commands
from console.store.db import Database
from console.store.feed import Feed
from console.store.models import Event
from console.ui.app import Identity, make_app
from console.ui.screens.dialogs import ConflictScreen, PickerScreen
from console.ui.widgets.escalations import EscalationPane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until

#: Every round is a real race (both consoles press Enter after a barrier) and is checked on
#: its own, so 20 rounds prove the rule in CI; the nightly run takes 200
#: (SWITCHBOARD_RACE_ROUNDS=200, about 2 s a round).
ROUNDS = int(os.environ.get("SWITCHBOARD_RACE_ROUNDS", "20"))


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_leads_reassign_the_same_escalation_at_once(queue_desk: Database, settings) -> None:
    with queue_desk.session() as session:
        commands.add_staff(
            session, "lena", NOW, handle="lou", name="Lou", role="lead", department="desk"
        )
        for handle in ("tom", "tia"):
            commands.add_staff(
                session,
                "lena",
                NOW,
                handle=handle,
                name=handle,
                role="agent",
                department="technical",
            )
    escalation = 1  # request 3's, with Technical
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, list[str]] = {"lena": [], "lou": []}
    errors: list[BaseException] = []

    def console(handle: str, choice: int) -> None:
        clock = FrozenClock(NOW)
        feed = Feed(queue_desk.engine.url, clock=clock, safety_interval=0.5)
        app = make_app(settings, queue_desk, clock, Identity(handle), feed=feed)

        async def scenario() -> None:
            async with app.run_test(size=(160, 45)) as pilot:
                await loaded(pilot)
                pane = app.query_one("#pane-technical", EscalationPane)
                await pilot.press("3")
                for round_ in range(ROUNDS):
                    # Both consoles see the same version before each round.
                    await wait_until(pilot, lambda r=round_: pane.rows[escalation].version == r + 1)
                    await pilot.press("r")
                    await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
                    # Each picks a different person, neither the current one: two real changes.
                    current = pane.rows[escalation].assignee
                    person = [p for p in ("tess", "tom", "tia") if p != current][choice]
                    await pilot.press(*person)
                    await asyncio.to_thread(barrier.wait)
                    before = (app.writes_done, app.writes_conflicted)
                    await pilot.press("enter")
                    await wait_until(
                        pilot, lambda b=before: (app.writes_done, app.writes_conflicted) != b
                    )
                    if app.writes_conflicted != before[1]:
                        await wait_until(pilot, lambda: isinstance(app.screen, ConflictScreen))
                        outcomes[handle].append("conflict")
                        await pilot.press("escape")
                    else:
                        outcomes[handle].append("won")
                    await asyncio.to_thread(barrier.wait)

        try:
            asyncio.run(scenario())
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [
        threading.Thread(target=console, args=("lena", 0)),
        threading.Thread(target=console, args=("lou", 1)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    with queue_desk.engine.connect() as connection:
        reassigned = connection.execute(
            select(func.count()).where(
                Event.kind == "escalation.reassigned", Event.entity_id == escalation
            )
        ).scalar_one()
    rounds = list(zip(outcomes["lena"], outcomes["lou"], strict=True))
    assert len(rounds) == ROUNDS
    assert all(sorted(pair) == ["conflict", "won"] for pair in rounds), rounds
    assert reassigned == ROUNDS  # exactly the winning changes are in the audit log

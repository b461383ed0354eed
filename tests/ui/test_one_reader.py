"""One reader, one writer (issue 14, part 2): the live link is the only thread that reads
the desk, a reload (ctrl+r) is served in order with the feed, and writes answer with typed
messages handled on the UI thread."""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy import select

from console.store import commands
from console.store.db import Database
from console.store.models import Request
from console.ui.messages import WriteConflicted, WriteDone
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until

SIZE = (160, 45)


def version_in_database(database: Database, request_id: int) -> int:
    with database.session() as session:
        return session.scalars(select(Request.version).where(Request.id == request_id)).one()


def test_a_reload_racing_a_change_never_puts_a_row_back(console, queue_desk: Database) -> None:
    """The reload reads the board, and a change to request 1 commits right after that read
    (before the reload's rows reach the screen). Request 1 must end at the newer version,
    and the versions the console took for it must never go down."""

    async def scenario() -> None:
        app = console()
        readers: set[str] = set()
        loads: list[int] = []
        taken: list[int] = []
        real_load, real_changes = app.board.load, app.board.changes

        def load(*args, **kwargs):
            readers.add(threading.current_thread().name)
            state = real_load(*args, **kwargs)
            if loads:  # the reload: someone changes request 1 right after it was read
                with queue_desk.session() as session:
                    commands.assign(session, "dora", NOW, request_id=1, to="abe")
            loads.append(state.requests[1].version)
            return state

        def changes(*args, **kwargs):
            readers.add(threading.current_thread().name)
            return real_changes(*args, **kwargs)

        app.board.load = load  # type: ignore[method-assign]
        app.board.changes = changes  # type: ignore[method-assign]
        desk_load, desk_apply = app.desk.load, app.desk.apply

        def took_load(state, now):
            taken.append(state.requests[1].version)
            return desk_load(state, now)

        def took_apply(batch, now, **kwargs):
            if 1 in batch.requests:
                taken.append(batch.requests[1].version)
            return desk_apply(batch, now, **kwargs)

        app.desk.load = took_load  # type: ignore[method-assign]
        app.desk.apply = took_apply  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: len(loads) == 2)
            newest = version_in_database(queue_desk, 1)
            assert loads[1] < newest  # the reload did read the older version
            await wait_until(pilot, lambda: app.desk.requests[1].version == newest)
            await wait_until(pilot, lambda: app.desk.request(1).version == newest)
            assert taken == sorted(taken), taken
            assert app.desk.requests[1].assignee == "abe"
        assert len(readers) == 1, readers  # one thread read the desk: the live link's

    asyncio.run(scenario())


def test_writes_answer_with_messages_and_counters_change_on_the_ui_thread(console) -> None:
    async def scenario() -> None:
        app = console("lena")
        answers: list[tuple[str, str]] = []

        def hook(message) -> None:
            if isinstance(message, WriteDone | WriteConflicted):
                answers.append((type(message).__name__, threading.current_thread().name))

        async with app.run_test(size=SIZE, message_hook=hook) as pilot:
            await loaded(pilot)
            app.query_one("#queue-grid").focus()
            assert app.query_one("#queue-grid").move_to(1)
            await pilot.press("a")
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "PickerScreen")
            await pilot.press(*"abe", "enter")
            await wait_until(pilot, lambda: app.writes_done == 1)
            assert answers and answers[0][0] == "WriteDone"
            # The counter and the undo record are the UI thread's: set by the handler.
            assert app.undo_record is not None and "assigned #1" in app.undo_record.description

    asyncio.run(scenario())

"""Mail intake in the console (issue 15): requests in triage (mail from unknown senders,
no customer) listed under the `triage` quick filter and counted in the top line, kept off
the other views; mail held in quarantine counted in the top line."""

from __future__ import annotations

import asyncio

from console.store.commands.quarantine import quarantine_mail
from console.ui.widgets.queue_pane import QueuePane
from console.ui.widgets.status_bar import StatusBar
from tests.conftest import NOW
from tests.mail.intake_helpers import message, pipe
from tests.ui.conftest import loaded, wait_until

SIZE = (160, 45)


def top(app) -> str:
    return str(app.query_one(StatusBar).render())


def test_triage_requests_show_under_their_filter_and_in_the_top_line(console, queue_desk) -> None:
    first = pipe(queue_desk, message("stranger@nowhere.example", "Who do I ask?"), NOW)
    assert "triage" in first.reason

    async def scenario() -> None:
        app = console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            queue = app.query_one(QueuePane)
            await wait_until(pilot, lambda: "triage 1 (f)" in top(app))
            assert "intake held" not in top(app)
            assert first.request not in queue.grid.keys  # not in the usual views
            open_before = queue.model.open_count
            assert f"of {open_before} open" in queue.border_title
            for _ in range(6):
                await pilot.press("f")
            assert "showing: triage" in queue.border_title
            assert list(queue.grid.keys) == [first.request]
            assert queue._cells(first.request)["status"] == "triage"
            assert queue._cells(first.request)["customer"] == "(unknown sender)"
            # A second one arrives live, and an unreadable message is held meanwhile.
            with queue_desk.session() as session:
                quarantine_mail(session, "intake", NOW, raw=b"\xff\xfe junk", reason="unreadable")
            second = pipe(queue_desk, message("other@nowhere.example", "Hello?"), NOW)
            await wait_until(pilot, lambda: "triage 2 (f)" in top(app))
            await wait_until(pilot, lambda: "intake held 1" in top(app))
            assert sorted(queue.grid.keys) == sorted([first.request, second.request])
            assert queue.model.open_count == open_before
            await pilot.press("f")  # back to all: no triage rows
            assert first.request not in queue.grid.keys

    asyncio.run(scenario())


def request_row(database, request_id: int):
    from console.store.models import Customer, Request

    with database.reading() as session:
        row = session.get(Request, request_id)
        customer = session.get(Customer, row.customer_id) if row.customer_id else None
        return row.status, customer.municipality if customer else None


def test_t_attaches_a_triage_request_to_a_customer_picked_by_typing(console, queue_desk) -> None:
    from console.ui.screens.dialogs import PickerScreen

    filed = pipe(queue_desk, message("stranger@nowhere.example", "Who do I ask?"), NOW)

    async def scenario() -> None:
        app = console()  # dora, a dispatcher
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            queue = app.query_one(QueuePane)
            for _ in range(6):
                await pilot.press("f")
            assert queue.grid.move_to(filed.request)
            await pilot.pause()
            assert app.check_action("act", ("attach",))
            await pilot.press("t")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
            await pilot.press(*"shelby", "enter")
            await wait_until(pilot, lambda: request_row(queue_desk, filed.request)[0] == "open")
            assert request_row(queue_desk, filed.request) == ("open", "Shelbyville")
            # It leaves the triage view and joins the queue with its customer, live.
            await wait_until(pilot, lambda: filed.request not in queue.grid.keys)
            await wait_until(pilot, lambda: "triage" not in top(app))
            await pilot.press("f")  # all
            assert filed.request in queue.grid.keys
            assert queue._cells(filed.request)["customer"] == "Shelbyville"

    asyncio.run(scenario())


def test_an_agent_may_not_attach(console, queue_desk) -> None:
    filed = pipe(queue_desk, message("stranger@nowhere.example", "Who do I ask?"), NOW)

    async def scenario() -> None:
        app = console(handle="ari")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            queue = app.query_one(QueuePane)
            for _ in range(6):
                await pilot.press("f")
            assert queue.grid.move_to(filed.request)
            await pilot.pause()
            assert not app.check_action("act", ("attach",))
            await pilot.press("t")
            await pilot.pause()
            assert request_row(queue_desk, filed.request) == ("triage", None)

    asyncio.run(scenario())

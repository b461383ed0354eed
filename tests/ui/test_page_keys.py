"""Paging in the console (issue 16 part 6): each emergency's page state in its row, an
unanswered page in the alert strip, and `A` acknowledging the page under the cursor."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from console.clock import FrozenClock
from console.store import commands
from console.store.models_paging import Page
from tests.ui.conftest import NIGHT, loaded, wait_until
from tests.ui.test_desk_keys import on_row, queue, strip

SIZE = (160, 45)


def page_of(database, request_id: int) -> Page:
    with database.session() as session:
        return session.scalars(select(Page).where(Page.request_id == request_id)).one()


def cell(app, request_id: int, column: str) -> str:
    return queue(app)._cells(request_id)[column]


def test_rows_show_the_page_and_an_unanswered_one_is_an_alarm(night_console) -> None:
    async def scenario() -> None:
        app = night_console("dora", FrozenClock(NIGHT + timedelta(minutes=15)))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            # Paged at 22:00 Chicago (desk zone) to abe, the assignee on call.
            assert cell(app, 3, "page") == "paged 22:00 abe"
            assert cell(app, 1, "page") == ""  # not an emergency: no page
            await wait_until(pilot, lambda: "PAGE UNANSWERED" in strip(app))
            assert "emergency #3 Springfield paged abe" in strip(app)

    asyncio.run(scenario())


def test_no_alarm_before_the_timeout(night_console) -> None:
    async def scenario() -> None:
        app = night_console("dora", FrozenClock(NIGHT + timedelta(minutes=5)))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await wait_until(pilot, lambda: "UNVERIFIED" in strip(app))
            assert "PAGE UNANSWERED" not in strip(app)

    asyncio.run(scenario())


def test_A_acknowledges_the_page_under_the_cursor_and_the_row_updates_live(
    night_console, night_desk
) -> None:
    async def scenario() -> None:
        app = night_console("dora", FrozenClock(NIGHT + timedelta(minutes=14)))
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 1)
            assert not app.check_action("act", ("ack_page",))  # no page on #1: not in footer
            await on_row(pilot, 3)
            assert app.check_action("act", ("ack_page",))
            await pilot.press("A")
            await wait_until(pilot, lambda: page_of(night_desk, 3).state == "acked")
            page = page_of(night_desk, 3)
            assert page.acked_by == "dora" and page.next_step_at is None
            await wait_until(pilot, lambda: cell(app, 3, "page") == "ack 22:14 dora")
            await wait_until(pilot, lambda: "#3" not in strip(app).split("UNVERIFIED")[0])
            assert not app.check_action("act", ("ack_page",))  # nothing left to acknowledge
            assert page_of(night_desk, 2).state == "open"  # only the row under the cursor

    asyncio.run(scenario())


def test_an_ack_from_elsewhere_shows_live(night_console, night_desk) -> None:
    async def scenario() -> None:
        app = night_console("dora", FrozenClock(NIGHT + timedelta(minutes=3)))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            with night_desk.session() as session:
                commands.ack_page(session, "abe", NIGHT + timedelta(minutes=3), request_id=2)
            await wait_until(pilot, lambda: cell(app, 2, "page") == "ack 22:03 abe")

    asyncio.run(scenario())


def test_A_is_refused_for_someone_not_on_staff(night_console) -> None:
    async def scenario() -> None:
        app = night_console("mallory")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 3)
            assert not app.check_action("act", ("ack_page",))

    asyncio.run(scenario())


def test_the_page_cell_in_desk_time() -> None:
    from zoneinfo import ZoneInfo

    from console.ui.format import page_cell

    zone = ZoneInfo("America/Chicago")
    at = NIGHT + timedelta(minutes=21)
    assert page_cell("open", 2, at, "bo", zone) == "step 2 22:21"
    assert page_cell("open", 0, at, "bo", zone) == "paged 22:21 bo"
    assert page_cell("acked", 2, at, "bo", zone) == "ack 22:21 bo"
    assert page_cell(None, 0, None, None, zone) == ""
    assert "\x1b" not in page_cell("acked", 0, at, "\x1b[31mx", zone)

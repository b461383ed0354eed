"""A shift handoff page in the console (issue 16 part 5): the alert strip shows each open
handoff to everyone, `H` acknowledges the oldest through the same store command as
`switchboard page ack --page ID`, and every console sees it come and go live."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from console.clock import FrozenClock
from console.store import commands
from console.store.board_queries import open_handoffs
from console.store.board_rows import HandoffRow
from console.store.db import Database
from console.store.feed import Feed
from console.store.models_paging import Outbox, Page
from console.ui.app import Identity, make_app
from console.ui.widgets.alerts import handoff_line
from tests.ui.conftest import NIGHT, loaded, wait_until
from tests.ui.test_desk_keys import strip

SIZE = (160, 45)
#: 23:00 Chicago: abe's on-call shift ends, dora's begins.
SHIFT_CHANGE = NIGHT + timedelta(hours=1)
#: When the pager wrote the handoff (and when the consoles' clocks stand).
AT = SHIFT_CHANGE + timedelta(minutes=2)


@pytest.fixture
def handoff_desk(night_desk: Database) -> Database:
    """`night_desk` with dora on call after abe (23:00 to 07:00), reachable by e-mail."""
    with night_desk.session() as session:
        commands.add_shift(
            session,
            "lena",
            NIGHT,
            staff="dora",
            kind="on-call",
            starts_at=SHIFT_CHANGE,
            ends_at=SHIFT_CHANGE + timedelta(hours=8),
        )
        commands.set_staff_contact(
            session, "dora", NIGHT, handle="dora", email="dora@desk.test", notify=[]
        )
    return night_desk


def write_handoff(database: Database) -> int:
    """What `switchboard pager` does at AT: the handoff page for abe's ended shift."""
    with database.session() as session:
        [page_id] = commands.handoffs_due(session, AT)
    return page_id


def page(database: Database, page_id: int) -> Page:
    with database.session() as session:
        return session.get_one(Page, page_id)


def outbox_states(database: Database, page_id: int) -> list[str]:
    with database.session() as session:
        return list(session.scalars(select(Outbox.state).where(Outbox.page_id == page_id)))


def expected_line(database: Database, page_id: int) -> str:
    gaps = page(database, page_id).targets["handoff"]["gaps"]
    gap_word = "gap" if gaps == 1 else "gaps"
    return (
        f" HANDOFF  on call abe → dora: 2 emergencies · 1 notice · {gaps} {gap_word}"
        " · H acknowledges"
    )


def test_H_acknowledges_the_handoff_in_the_strip(handoff_desk, night_console) -> None:
    page_id = write_handoff(handoff_desk)
    assert outbox_states(handoff_desk, page_id) == ["queued"]  # the mail to dora

    async def scenario() -> None:
        app = night_console("dora", FrozenClock(AT))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await wait_until(pilot, lambda: "HANDOFF" in strip(app))
            assert expected_line(handoff_desk, page_id) in strip(app).splitlines()
            assert app.check_action("act", ("ack_handoff",))  # in the footer
            await pilot.press("H")
            await wait_until(pilot, lambda: page(handoff_desk, page_id).state == "acked")
            done = page(handoff_desk, page_id)
            assert (done.acked_by, done.acked_at) == ("dora", AT)
            assert outbox_states(handoff_desk, page_id) == ["cancelled"]
            await wait_until(pilot, lambda: "HANDOFF" not in strip(app))
            assert not app.check_action("act", ("ack_handoff",))  # gone from the footer
            assert "PAGE UNANSWERED" in strip(app)  # the emergencies' pages are still open

    asyncio.run(scenario())


def test_H_when_no_handoff_waits_says_so(handoff_desk, night_console) -> None:
    async def scenario() -> None:
        app = night_console("dora", FrozenClock(AT))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert not app.check_action("act", ("ack_handoff",))
            await pilot.press("H")
            await wait_until(pilot, lambda: len(app._notifications) > 0)
            [note] = list(app._notifications)
            assert note.message == "no shift handoff is waiting for an acknowledgement"

    asyncio.run(scenario())


def test_someone_else_acknowledged_first(handoff_desk, settings) -> None:
    page_id = write_handoff(handoff_desk)
    clock = FrozenClock(AT)
    feed = Feed(handoff_desk.engine.url, clock=clock, poll_interval=0.05)
    app = make_app(settings, handoff_desk, clock, Identity("dora"), feed=feed)

    async def scenario() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await wait_until(pilot, lambda: "HANDOFF" in strip(app))
            # abe's ack must not reach this console before the key does: no live link.
            app.link.stop()
            for worker in [w for w in app.workers if w.group == "live"]:
                await worker.wait()
            with handoff_desk.session() as session:
                commands.ack_page(session, "abe", AT, page_id=page_id)
            await pilot.press("H")
            await wait_until(pilot, lambda: len(app._notifications) > 0)
            [note] = list(app._notifications)
            assert str(note.message).startswith(f"page {page_id} was acknowledged by abe at ")
            assert "\n" not in str(note.message)
            assert page(handoff_desk, page_id).acked_by == "abe"

    asyncio.run(scenario())


def test_a_second_console_sees_the_handoff_come_and_go(handoff_desk, settings) -> None:
    """Both consoles are up when the pager writes the handoff; dora acknowledges it with
    `H` in hers, and it leaves lena's strip."""
    written = threading.Event()
    #: lena's console showed the handoff: only then does dora acknowledge it (else one
    #: batch could bring lena both, and she would never see it).
    seen = threading.Event()
    acked = threading.Event()
    both_loaded = threading.Barrier(3, timeout=120)
    errors: list[BaseException] = []

    def console(handle: str) -> None:
        clock = FrozenClock(AT)
        feed = Feed(handoff_desk.engine.url, clock=clock, poll_interval=0.05)
        app = make_app(settings, handoff_desk, clock, Identity(handle), feed=feed)

        async def scenario() -> None:
            async with app.run_test(size=SIZE) as pilot:
                await loaded(pilot)
                assert "HANDOFF" not in strip(app)
                await asyncio.to_thread(both_loaded.wait)
                await asyncio.to_thread(written.wait, 120)
                await wait_until(pilot, lambda: "HANDOFF" in strip(app))
                if handle == "dora":
                    await asyncio.to_thread(seen.wait, 120)
                    await pilot.press("H")
                    await wait_until(pilot, lambda: app.writes_done == 1)
                    acked.set()
                else:
                    seen.set()
                    await asyncio.to_thread(acked.wait, 120)
                await wait_until(pilot, lambda: "HANDOFF" not in strip(app))

        try:
            asyncio.run(scenario())
        except BaseException as exc:
            errors.append(exc)
            both_loaded.abort()
            for event in (written, seen, acked):
                event.set()

    threads = [threading.Thread(target=console, args=(h,)) for h in ("dora", "lena")]
    for thread in threads:
        thread.start()
    page_id = None
    try:
        both_loaded.wait()
        page_id = write_handoff(handoff_desk)
    except threading.BrokenBarrierError:
        pass  # a console failed: its error is raised below
    finally:
        written.set()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    assert page_id is not None and page(handoff_desk, page_id).acked_by == "dora"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_snapshot_of_the_strip_with_a_handoff(snap_compare, handoff_desk, night_console) -> None:
    write_handoff(handoff_desk)

    async def settle(pilot) -> None:
        await loaded(pilot)
        bar = pilot.app.query_one("#status-bar")
        await wait_until(pilot, lambda: "POLLING" in str(bar.render()))
        await wait_until(pilot, lambda: "HANDOFF" in strip(pilot.app))
        await pilot.pause()

    assert snap_compare(
        night_console("dora", FrozenClock(AT)), terminal_size=SIZE, run_before=settle
    )


def test_the_line_names_who_was_paged_when_nobody_is_on_call() -> None:
    row = HandoffRow(1, AT, "abe", None, ("lena", "lou"), emergencies=1, notices=0, gaps=2)
    assert handoff_line(row) == (
        "on call abe → NOBODY ON CALL (paged lena, lou): 1 emergency · 0 notices · 2 gaps"
    )
    escalated = HandoffRow(2, AT, "abe", "dora", ("lena",), 0, 1, 1)
    assert (
        handoff_line(escalated)
        == "on call abe → dora (paged lena): 0 emergencies · 1 notice · 1 gap"
    )


def test_a_handoff_written_before_its_summary_was_kept_still_shows(handoff_desk) -> None:
    page_id = write_handoff(handoff_desk)
    with handoff_desk.session() as session:
        row = session.get_one(Page, page_id)
        row.targets = {"handles": ["dora"], "unreachable": []}  # as an older pager wrote it
        session.commit()
    with handoff_desk.reading() as session:
        [shown] = open_handoffs(session)
    assert (shown.page_id, shown.outgoing, shown.incoming, shown.gaps) == (
        page_id,
        "abe",
        "dora",
        None,
    )
    assert handoff_line(shown) == "on call abe → dora"

"""The after-hours keys, pressed as a dispatcher would on a Saturday night (issue 7):
`v` verify and `d` downgrade an unverified emergency, `n` record a billing notice, `x` the
customer declined; the alert strip, the red gap alarm, and the refusals."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from textual.widgets import Input

from console.clock import FrozenClock
from console.store import commands
from console.store.models import BillingNotice, Event, Staff
from console.ui.screens.dialogs import ConfirmScreen, PickerScreen
from console.ui.screens.notice import NoticeScreen
from console.ui.widgets.alerts import AlertStrip
from console.ui.widgets.coverage_pane import CoveragePane
from console.ui.widgets.queue_pane import QueuePane
from tests.ui.conftest import NIGHT, loaded, wait_until

SIZE = (160, 45)


def queue(app) -> QueuePane:
    return app.query_one(QueuePane)


def strip(app) -> str:
    widget = app.query_one(AlertStrip)
    return str(widget.render()) if widget.display else ""


async def on_row(pilot, request_id: int) -> None:
    await loaded(pilot)
    assert queue(pilot.app).grid.move_to(request_id)
    await pilot.pause()


def last_event(database, kind: str) -> Event:
    with database.session() as session:
        return session.scalars(
            select(Event).where(Event.kind == kind).order_by(Event.id.desc()).limit(1)
        ).one()


def test_the_strip_names_whom_to_call_back_and_what_needs_a_notice(night_console) -> None:
    async def scenario() -> None:
        app = night_console()
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await wait_until(pilot, lambda: "UNVERIFIED" in strip(app))
            text = strip(app)
            assert (
                "#2 Springfield from Clerk Smithers: call back Chief Wiggum 555-0142, "
                "Mayor Quimby" in text
            )
            assert "1 needs a billing notice before billable work: #1 Shelbyville" in text
            assert "NOBODY ON CALL" not in text  # abe is on call until 23:00
            # The quick filter cycles to the after-hours rows: the unverified one and the
            # one that needs a notice, not the verified emergency.
            for _ in range(5):
                await pilot.press("f")
            assert "showing: after hours" in queue(app).border_title
            assert sorted(queue(app).grid.keys) == [1, 2]

    asyncio.run(scenario())


def test_v_verifies_with_the_designated_contact_picked(night_console, night_desk) -> None:
    async def scenario() -> None:
        app = night_console("dora")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 2)
            assert app.check_action("verify", ()) and app.check_action("downgrade", ())
            assert not app.check_action("notice", ())  # row 2 needs no notice
            await pilot.press("v")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
            assert "called in by Clerk Smithers" in str(app.screen.targets)
            await pilot.press(*"mayor", "enter")
            await wait_until(pilot, lambda: not queue(app).model.rows[2].emergency_unverified)
            await wait_until(pilot, lambda: "UNVERIFIED" not in strip(app))
        verified = last_event(night_desk, "request.emergency-verified")
        assert verified.actor == "dora" and verified.entity_id == 2
        assert verified.after["verified_with"]["name"] == "Mayor Quimby"

    asyncio.run(scenario())


def test_d_downgrades_after_confirming_and_the_request_then_needs_a_notice(
    night_console,
) -> None:
    async def scenario() -> None:
        app = night_console("lena")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 2)
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "will need a billing notice" in app.screen.details
            await pilot.press("y")
            await wait_until(pilot, lambda: not queue(app).model.rows[2].emergency)
            row = queue(app).model.rows[2]
            assert (row.emergency_unverified, row.billing_state) == (False, "needs-notice")
            await wait_until(pilot, lambda: "2 need a billing notice" in strip(app))
            # `d` cancelled with n writes nothing.
            assert queue(app).grid.move_to(3)
            await pilot.press("d", "n")
            await pilot.pause()
            assert queue(app).model.rows[3].emergency

    asyncio.run(scenario())


def test_n_records_when_how_and_by_whom(night_console, night_desk) -> None:
    async def scenario() -> None:
        app = night_console("dora")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 1)
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, NoticeScreen))
            screen = app.screen
            when = screen.query_one("#notice-when", Input)
            assert when.value == "22:00"  # now, desk time
            assert "$200.00/h" in screen.terms
            # A time that is not one, then a person not on staff: named, nothing written.
            when.value = "25:00"
            await pilot.press("enter")
            await pilot.pause()
            assert "not a time of day" in str(screen.query_one("#notice-error").render())
            assert app.screen is screen
            when.value = "21:50"
            screen.query_one("#notice-by", Input).value = "nobody"
            await pilot.press("enter")
            await pilot.pause()
            assert "nobody is not on the staff list" in str(
                screen.query_one("#notice-error").render()
            )
            screen.query_one("#notice-by", Input).value = "abe"
            screen.query_one("#notice-how").focus()
            await pilot.press("down", "enter")  # e-mail
            await wait_until(pilot, lambda: queue(app).model.rows[1].billing_state == "notified")
            await wait_until(pilot, lambda: "NOTICE" not in strip(app))
        with night_desk.session() as session:
            notice, by = session.execute(
                select(BillingNotice, Staff.handle).join(
                    Staff, Staff.id == BillingNotice.given_by_id
                )
            ).one()
            assert (notice.request_id, notice.method, by) == (1, "email", "abe")
            assert notice.given_at.replace(tzinfo=None) == (NIGHT - timedelta(minutes=10)).replace(
                tzinfo=None
            )
        assert last_event(night_desk, "billing-notice.recorded").actor == "dora"

    asyncio.run(scenario())


def test_x_records_the_decline_after_confirming(night_console) -> None:
    async def scenario() -> None:
        app = night_console("ari")  # an agent may record it
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 1)
            await pilot.press("x")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "waits for the desk to open (Mon 07:00)" in app.screen.details
            await pilot.press("enter")
            await wait_until(pilot, lambda: queue(app).model.rows[1].billing_state == "declined")

    asyncio.run(scenario())


def test_the_keys_say_why_not_when_the_role_or_the_row_does_not_fit(night_console) -> None:
    async def scenario() -> None:
        app = night_console("ari")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 2)
            assert not app.check_action("verify", ())  # hidden from an agent
            await pilot.press("v")
            await wait_until(pilot, lambda: len(app._notifications) > 0)
            messages = [n.message for n in app._notifications]
            assert "only dispatchers and leads verify emergencies" in messages
            assert isinstance(app.screen.query_one(QueuePane), QueuePane)  # no dialog
            await pilot.press("n")
            await wait_until(pilot, lambda: len(app._notifications) > 1)
            assert "#2 needs no billing notice" in [n.message for n in app._notifications]
            queue(app).grid.move_to(3)
            await pilot.press("x")
            await wait_until(pilot, lambda: len(app._notifications) > 2)
            assert "#3 needs no billing notice" in [n.message for n in app._notifications]

    asyncio.run(scenario())


def test_an_emergency_in_an_on_call_gap_raises_the_red_alarm_until_someone_has_it(
    night_console, night_desk
) -> None:
    # 23:30: abe's on-call ended at 23:00 and nobody follows.
    late = NIGHT + timedelta(minutes=90)

    async def scenario() -> None:
        app = night_console("dora", clock=FrozenClock(late))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            coverage = app.query_one(CoveragePane)
            assert "EMERGENCY IN ON-CALL GAP" not in str(coverage.render())
            with night_desk.session() as session:
                new = commands.log_call_answered(
                    session,
                    "tess",
                    late,
                    app.rules,
                    customer="Shelbyville",
                    contact="Mayor Hooper",
                    summary="Water billing portal down",
                    emergency=True,
                )
            await wait_until(pilot, lambda: "EMERGENCY IN ON-CALL GAP" in str(coverage.render()))
            assert f"#{new.id} Shelbyville since 23:30, nobody to take it" in str(coverage.render())
            assert coverage.has_class("alarm")
            assert f"emergency #{new.id} Shelbyville since 23:30 is unassigned" in strip(app)
            with night_desk.session() as session:
                commands.assign(session, "lena", late, request_id=new.id, to="tess")
            await wait_until(pilot, lambda: not coverage.has_class("alarm"))
            assert "NOBODY ON CALL" not in strip(app)

    asyncio.run(scenario())

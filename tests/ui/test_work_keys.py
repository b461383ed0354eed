"""The work keys (issue 18), pressed as an agent, a dispatcher and a lead would: `N` logs
a new request (a new caller added inline), `o` responds (a reply mailed for an e-mail
request, the answer time for a voicemail), `i` adds a note, `w` logs work, `W` times it,
`z` resolves (undone with `u`) and `Z` reopens; and what a read-only console is told."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from console.clock import FrozenClock
from console.store import commands
from console.store.models import Contact, Event, Request, WorkLog
from console.store.models_paging import Outbox
from console.store.models_portal import RequestMessage
from console.ui.keymap import KeymapError, check_keymap, main_bindings, other_bindings
from console.ui.screens.detail import DetailScreen
from console.ui.screens.dialogs import ConfirmScreen
from console.ui.screens.new_request import NewRequestScreen
from console.ui.screens.work_dialogs import ComposeScreen, WhenScreen, WorkScreen
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import loaded, wait_until
from tests.ui.test_console_keys import _highlighted

SIZE = (160, 45)


def request(database, request_id: int) -> Request:
    with database.reading() as session:
        row = session.get(Request, request_id)
        assert row is not None
        session.expunge(row)
        return row


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def on_row(pilot, request_id: int) -> None:
    await loaded(pilot)
    assert pilot.app.query_one(QueuePane).grid.move_to(request_id)
    await pilot.pause()


async def detail_of(pilot, request_id: int) -> DetailScreen:
    app = pilot.app
    app.jump_to(request_id) if request_id not in app.desk.queue.rows else None
    if request_id in app.desk.queue.rows:
        await on_row(pilot, request_id)
        await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
    screen = app.screen
    await wait_until(pilot, lambda: screen.page is not None)
    return screen


def test_n_logs_a_call_and_adds_an_unknown_caller_as_a_contact(console, queue_desk) -> None:
    async def scenario() -> None:
        app = console("ari")  # an agent
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            assert app.check_action("act", ("new_request",))
            await pilot.press("N")
            await wait_until(pilot, lambda: isinstance(app.screen, NewRequestScreen))
            await pilot.press(*"shel", "tab", *"Marge Simpson", "tab", *"555-0199")
            await pilot.press("tab", "tab", "tab", "tab", *"Trash pickup page is blank")
            await pilot.press("enter")
            await wait_until(pilot, lambda: any("in the queue" in m for m in messages(app)))
        with queue_desk.reading() as session:
            contact = session.scalars(select(Contact).where(Contact.name == "Marge Simpson")).one()
            row = session.scalars(select(Request).where(Request.contact_id == contact.id)).one()
            logged = session.scalars(
                select(Event).where(Event.kind == "contact.added", Event.entity_id == contact.id)
            ).one()
        assert (contact.phone, contact.designated_for_emergencies) == ("555-0199", False)
        assert logged.actor == "ari"
        assert (row.channel, row.summary, row.emergency) == (
            "call",
            "Trash pickup page is blank",
            False,
        )
        assert row.first_response_at == NOW  # a call answered live: responded at once

    asyncio.run(scenario())


def test_n_finds_a_caller_by_phone_among_every_customer(console, queue_desk) -> None:
    with queue_desk.session() as session:
        commands.add_contact(
            session, "lena", NOW, customer="Springfield", name="Lisa S", phone="555-0142"
        )

    async def scenario() -> None:
        app = console("dora")  # a dispatcher
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("N")
            await wait_until(pilot, lambda: isinstance(app.screen, NewRequestScreen))
            # Shelbyville comes first; the phone number finds Springfield's contact.
            await pilot.press("tab", *"5550142")
            await pilot.press("tab", "right", "enter")  # the channel: voicemail
            await pilot.press("tab", "tab", *"Site down again", "tab", "space")
            await pilot.press("shift+tab", "enter")
            await wait_until(pilot, lambda: any("in the queue" in m for m in messages(app)))
            done = "Logged an emergency from Lisa S for Springfield"
            assert done in messages(app), messages(app)
        with queue_desk.reading() as session:
            row = session.scalars(select(Request).order_by(Request.id.desc()).limit(1)).one()
            contact = session.get(Contact, row.contact_id)
        assert contact is not None and contact.name == "Lisa S"
        assert (row.channel, row.emergency, row.emergency_unverified) == ("voicemail", True, True)

    asyncio.run(scenario())


def test_n_names_a_bad_field_and_writes_nothing(console, queue_desk, fingerprint_of) -> None:
    before = fingerprint_of(queue_desk)

    async def scenario() -> None:
        app = console("lena")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await pilot.press("N")
            await wait_until(pilot, lambda: isinstance(app.screen, NewRequestScreen))
            screen = app.screen
            await pilot.press(*"nowhere", "enter")
            assert "no customer matches" in str(screen.query_one("#new-error").render())
            await pilot.press(*["backspace"] * 7, "enter")
            assert "Summary: say what is wrong" in str(screen.query_one("#new-error").render())
            await pilot.press("escape")
            assert not isinstance(app.screen, NewRequestScreen)

    asyncio.run(scenario())
    assert fingerprint_of(queue_desk) == before


def test_o_on_an_e_mail_request_mails_the_reply_and_stops_the_clock(console, queue_desk) -> None:
    with queue_desk.session() as session:
        commands.add_contact(
            session,
            "lena",
            NOW,
            customer="Springfield",
            name="Ned F",
            email="ned@sprfld.example",
        )
        view = commands.log_request(
            session, "ari", NOW, commands.Rules.defaults(), channel="email",
            customer="Springfield", contact="Ned F", summary="Newsletter bounced",
            received_at=NOW - timedelta(minutes=10),
        )  # fmt: skip

    async def scenario() -> None:
        app = console("ari")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, view.id)
            await pilot.press("o")
            await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
            await pilot.press(*"Fixed, please try again.", "enter", *"Ari")
            await pilot.press("ctrl+s")
            await wait_until(
                pilot, lambda: request(queue_desk, view.id).first_response_at is not None
            )
        with queue_desk.reading() as session:
            reply = session.scalars(
                select(RequestMessage).where(RequestMessage.request_id == view.id)
            ).one()
            mailed = session.scalars(select(Outbox)).all()
        assert (reply.author, reply.body) == ("desk", "Fixed, please try again.\nAri")
        assert any(m.recipient == "ned@sprfld.example" for m in mailed)

    asyncio.run(scenario())


def test_o_on_a_voicemail_records_when_it_was_answered_once(console, queue_desk) -> None:
    async def scenario() -> None:
        app = console("dora")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 2)  # a voicemail
            await pilot.press("o")
            await wait_until(pilot, lambda: isinstance(app.screen, WhenScreen))
            await pilot.press(*["backspace"] * 5, *"09:58", "enter")
            await wait_until(pilot, lambda: request(queue_desk, 2).first_response_at is not None)
            assert request(queue_desk, 2).first_response_at == NOW - timedelta(minutes=2)
            await wait_until(pilot, lambda: not app.check_action("act", ("respond",)))
            await pilot.press("o")  # the footer hides it; pressed anyway it says why
            await wait_until(
                pilot, lambda: any("had its response at 09:58" in m for m in messages(app))
            )

    asyncio.run(scenario())


def test_i_adds_a_note_the_detail_shows_in_the_history(console, queue_desk) -> None:
    async def scenario() -> None:
        app = console("lena")  # a lead
        async with app.run_test(size=SIZE) as pilot:
            screen = await detail_of(pilot, 4)
            await pilot.press("i")
            await wait_until(pilot, lambda: isinstance(app.screen, ComposeScreen))
            await pilot.press(*"Customer prefers calls after 2pm", "ctrl+s")
            await wait_until(pilot, lambda: app.screen is screen)
            history = screen.query_one("#detail-history")
            await wait_until(pilot, lambda: "note by Lena Lead" in _text(history))
            assert "Customer prefers calls after 2pm, just now" in _text(history)
        with queue_desk.reading() as session:
            note = session.scalars(select(Event).where(Event.kind == "request.noted")).one()
        assert (note.actor, note.entity_id) == ("lena", 4)

    asyncio.run(scenario())


def _text(widget) -> str:
    return "\n".join(line.text for line in widget.render_lines(widget.region.reset_offset))


def test_w_logs_work_as_minutes_and_refuses_a_bad_time(console, queue_desk) -> None:
    async def scenario() -> None:
        app = console("ari")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 5)
            await pilot.press("w")
            await wait_until(pilot, lambda: isinstance(app.screen, WorkScreen))
            await pilot.press(*"25:99", "enter")
            assert "not a time of day" in str(app.screen.query_one("#work-error").render())
            await pilot.press(*["backspace"] * 5, *"25", "tab", *"Cleared the cache", "enter")
            await wait_until(pilot, lambda: _work(queue_desk, 5))
        (work,) = _work(queue_desk, 5)
        assert (work.started_at, work.ended_at, work.note) == (
            NOW - timedelta(minutes=25),
            NOW,
            "Cleared the cache",
        )

    asyncio.run(scenario())


def _work(database, request_id: int) -> list[WorkLog]:
    with database.reading() as session:
        rows = list(session.scalars(select(WorkLog).where(WorkLog.request_id == request_id)))
        session.expunge_all()
        return rows


def test_the_timer_logs_the_work_when_stopped(console, queue_desk) -> None:
    clock = FrozenClock(NOW)

    async def scenario() -> None:
        app = console("dora", clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            screen = await detail_of(pilot, 6)
            await pilot.press("W")
            timer = screen.query_one("#detail-timer")
            assert timer.display and "running since 10:00" in _text(timer)
            clock.advance(timedelta(minutes=20))
            await pilot.press("W")
            await wait_until(pilot, lambda: _work(queue_desk, 6))
            assert not timer.display
        (work,) = _work(queue_desk, 6)
        assert (work.started_at, work.ended_at) == (NOW, NOW + timedelta(minutes=20))

    asyncio.run(scenario())


@pytest.mark.parametrize("handle", ["ari", "dora", "lena"])
def test_z_resolves_u_undoes_it_and_Z_reopens_from_the_detail(console, queue_desk, handle) -> None:
    async def scenario() -> None:
        app = console(handle)
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 7)
            await pilot.press("z")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_until(pilot, lambda: request(queue_desk, 7).status == "resolved")
            await wait_until(pilot, lambda: 7 not in app.desk.queue.rows)
            await pilot.press("u")
            await wait_until(pilot, lambda: request(queue_desk, 7).status == "open")
            await wait_until(pilot, lambda: 7 in app.desk.queue.rows)
            # Resolved again, then reopened from its detail screen.
            await on_row(pilot, 7)
            await pilot.press("z", "y")
            await wait_until(pilot, lambda: 7 not in app.desk.queue.rows)
            screen = await detail_of(pilot, 7)
            assert not app.check_action("act", ("resolve",))
            await wait_until(pilot, lambda: app.check_action("act", ("reopen",)))
            await pilot.press("Z")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_until(pilot, lambda: request(queue_desk, 7).status == "open")
            await wait_until(pilot, lambda: screen.page.request.status == "open")
        with queue_desk.reading() as session:
            kinds = [
                (e.kind, e.actor)
                for e in session.scalars(
                    select(Event).where(Event.entity == "request", Event.entity_id == 7)
                )
            ]
        assert kinds[-4:] == [
            ("request.resolved", handle),
            ("request.reopened", handle),  # the undo
            ("request.resolved", handle),
            ("request.reopened", handle),
        ]

    asyncio.run(scenario())


def test_a_read_only_console_is_told_why_and_writes_nothing(
    console, queue_desk, fingerprint_of
) -> None:
    before = fingerprint_of(queue_desk)

    async def scenario() -> None:
        app = console("zed")  # not on the staff list
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 1)
            for name in ("new_request", "respond", "note", "log_work", "timer", "resolve"):
                assert not app.check_action("act", (name,))
            await pilot.press("N", "o", "z")
            await wait_until(pilot, lambda: len(messages(app)) >= 3)
            assert all("not on the staff list" in m for m in messages(app))
            assert app.screen is app.screen_stack[0]

    asyncio.run(scenario())
    assert fingerprint_of(queue_desk) == before


def test_the_keymap_refuses_a_work_key_that_takes_another_key() -> None:
    with pytest.raises(
        KeymapError, match=r'"desk\.respond" = "q" takes q from "switchboard\.quit"'
    ):
        check_keymap({"desk.respond": "q"}, main_bindings(), other_bindings())
    check_keymap({"desk.respond": "O"}, main_bindings(), other_bindings())


@pytest.mark.parametrize(
    ("words", "dialog"),
    [
        ("add a note", ComposeScreen),
        ("log work", WorkScreen),
        ("resolve the", ConfirmScreen),
        ("log a new request", NewRequestScreen),
    ],
)
def test_the_palette_runs_the_work_actions(console, words, dialog) -> None:
    async def scenario() -> None:
        app = console("ari")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 4)
            await pilot.press("ctrl+p", *words)
            await wait_until(pilot, lambda: (_highlighted(app) or "").lower().startswith(words))
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, dialog))
            if dialog is not NewRequestScreen:
                shown = getattr(app.screen, "targets", None) or app.screen.details
                assert "#4 Shelbyville" in shown

    asyncio.run(scenario())


def test_the_palette_says_why_not_on_a_read_only_console(console) -> None:
    async def scenario() -> None:
        app = console("zed")
        async with app.run_test(size=SIZE) as pilot:
            await on_row(pilot, 4)
            await pilot.press("ctrl+p", *"resolve the")
            await wait_until(pilot, lambda: (_highlighted(app) or "").startswith("Resolve"))
            await pilot.press("enter")
            await wait_until(
                pilot, lambda: any("not on the staff list" in m for m in messages(app))
            )
            assert app.screen is app.screen_stack[0]

    asyncio.run(scenario())

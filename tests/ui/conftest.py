"""A small, fixed desk for console tests, and helpers to drive the console like a person."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from textual.pilot import Pilot

from console.clock import FrozenClock
from console.settings import Settings, load_settings
from console.store import commands
from console.store.commands import Rules
from console.store.db import Database
from console.store.feed import Feed
from console.ui.app import Identity, SwitchboardApp, make_app
from tests.conftest import NOW

SUMMARIES = [
    "Agenda Center PDF upload fails",
    "Notify Me e-mails not sending",
    "Staff directory photo will not update",
    "Calendar event repeats twice",
    "Form builder drops attachments",
    "News flash not on home page",
    "Password reset link expired",
    "Site search returns nothing",
]


#: How long a wait for the console may take before the test fails: generous, since CI
#: runs on a busy 2-core machine; a passing wait returns as soon as its condition holds.
PATIENCE = 120.0


@pytest.fixture
def settings() -> Settings:
    """The defaults, with nothing that moves on its own: no blinking cursor, no animation
    (the clock is frozen by `console_on`, and the idle re-sort follows that clock)."""
    defaults = load_settings()
    steady = defaults.console.model_copy(update={"cursor_blink": False, "animations": False})
    return defaults.model_copy(update={"console": steady})


@pytest.fixture
def queue_desk(desk: Database, settings: Settings) -> Database:
    """The `desk` fixture plus eight open requests in several timer states, one emergency
    from a designated contact, shifts, presence and an escalation to Technical.

    Requests 1-8 were received 30 minutes apart going back from NOW (Wednesday 10:00
    Chicago); request 9 is the emergency (Website is down), received 20 minutes ago;
    request 10 is an e-mail from yesterday, breached.
    """
    rules = Rules.defaults()
    with desk.session() as session:
        for i, summary in enumerate(SUMMARIES):
            commands.log_request(
                session,
                "ari",
                NOW,
                rules,
                channel=("email", "voicemail", "portal")[i % 3],
                customer=("Springfield", "Shelbyville")[i % 2],
                summary=summary,
                received_at=NOW - timedelta(minutes=30 * i + 5),
            )
        commands.log_request(
            session,
            "ari",
            NOW,
            rules,
            channel="call",
            customer="Springfield",
            contact="Mayor Quimby",
            summary="Website is down",
            emergency=True,
            received_at=NOW - timedelta(minutes=20),
        )
        commands.log_request(
            session,
            "ari",
            NOW,
            rules,
            channel="email",
            customer="Springfield",
            summary="Permit form returns an error",
            received_at=NOW - timedelta(days=1),
        )
        for handle in ("ari", "abe", "dora"):
            commands.add_shift(
                session,
                "lena",
                NOW,
                staff=handle,
                kind="duty",
                starts_at=NOW - timedelta(hours=3),
                ends_at=NOW + timedelta(hours=6),
            )
        commands.add_shift(
            session,
            "lena",
            NOW,
            staff="abe",
            kind="on-call",
            starts_at=NOW + timedelta(hours=9),
            ends_at=NOW + timedelta(hours=21),
        )
        commands.set_presence(session, "ari", NOW, staff="ari", state="on-a-call")
        commands.set_presence(session, "abe", NOW, staff="abe", state="available")
        commands.assign(session, "dora", NOW, request_id=2, to="abe")
        commands.escalate(
            session, "ari", NOW, request_id=3, kind="product", reason="Upload crashes"
        )
    return desk


@pytest.fixture
def console(queue_desk: Database, settings: Settings) -> Callable[..., SwitchboardApp]:
    """`console(handle="dora", clock=None)`: the app on `queue_desk`, frozen at NOW."""

    return console_on(queue_desk, settings, NOW)


def console_on(
    database: Database, settings: Settings, at: datetime
) -> Callable[..., SwitchboardApp]:
    """`build(handle="dora", clock=None)`: the app on `database`, frozen at `at` by default,
    with a fast feed."""

    def build(handle: str = "dora", clock: FrozenClock | None = None) -> SwitchboardApp:
        clock = clock or FrozenClock(at)
        feed = Feed(database.engine.url, clock=clock, poll_interval=0.05, safety_interval=0.5)
        return make_app(settings, database, clock, Identity(handle), feed=feed)

    return build


async def wait_until(
    pilot: Pilot, condition: Callable[[], bool], timeout: float = PATIENCE
) -> None:
    """Let the app run until `condition()` holds (never a fixed sleep); fail after
    `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the console did not get there in time")
        await pilot.pause(0.02)


async def loaded(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, SwitchboardApp)
    await wait_until(pilot, lambda: app.loaded)
    await pilot.pause()


#: Saturday 5 December 2026, 22:00 in Chicago: the desk is closed.
NIGHT = NOW + timedelta(days=3, hours=12)


@pytest.fixture
def night_desk(desk: Database, settings: Settings) -> Database:
    """The `desk` fixture on Saturday night (NIGHT, 22:00 Chicago), abe on call until 23:00
    and nobody after, and three open requests:

    1. a voicemail from Shelbyville at 21:30: needs a billing notice;
    2. an emergency called in by Clerk Smithers of Springfield at 21:45 (not designated):
       unverified, given to abe who is on call;
    3. an emergency from Mayor Quimby (designated) at 21:50: verified, given to abe.

    Springfield also has Chief Wiggum, designated, with a phone number to call back.
    """
    rules = Rules.defaults()
    at = NIGHT - timedelta(hours=1)
    with desk.session() as session:
        commands.add_contact(
            session,
            "lena",
            at,
            customer="Springfield",
            name="Chief Wiggum",
            phone="555-0142",
            designated=True,
        )
        commands.add_shift(
            session,
            "lena",
            at,
            staff="abe",
            kind="on-call",
            starts_at=NIGHT - timedelta(hours=3),
            ends_at=NIGHT + timedelta(hours=1),
        )
        for minutes, customer, contact, emergency, summary in (
            (30, "Shelbyville", None, False, "Calendar feed shows last week"),
            (15, "Springfield", "Clerk Smithers", True, "Payments page is down"),
            (10, "Springfield", "Mayor Quimby", True, "Whole site returns 500"),
        ):
            commands.log_request(
                session,
                "ari",
                NIGHT,
                rules,
                channel="voicemail",
                customer=customer,
                contact=contact,
                summary=summary,
                emergency=emergency,
                received_at=NIGHT - timedelta(minutes=minutes),
            )
    return desk


@pytest.fixture
def night_console(night_desk: Database, settings: Settings) -> Callable[..., SwitchboardApp]:
    """`night_console(handle="dora", clock=None)`: the app on `night_desk` at NIGHT."""

    return console_on(night_desk, settings, NIGHT)

"""Hostile text in the console (issue 8): what people type into the filter, the pickers,
the reasons and the notice fields, and what other tools may have put in the database.

Hypothesis drives the pure parts (the filter's matching, the strip and pane text, the
notice's time field) over any text; pilot tests then type the nastiest inputs into every
field of the running console. Each gets a correct result or a clear refusal, the database
is unchanged after a refusal or a cancel, and nothing from the database is ever obeyed as
a terminal escape sequence or as Rich markup.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text
from sqlalchemy import update
from textual.widgets import Input

from console.domain.localtime import LocalTimeError, parse_recent
from console.store.board_rows import CallBack, QueueRow
from console.store.models import Request
from console.ui.format import inert
from console.ui.model.queue import QueueModel
from console.ui.screens.detail import DetailScreen
from console.ui.screens.dialogs import PickerScreen, TextScreen
from console.ui.screens.notice import NoticeScreen
from console.ui.widgets.alerts import AlertStrip, alerts_text
from console.ui.widgets.queue_pane import QueuePane
from tests.conftest import NOW
from tests.ui.conftest import NIGHT, loaded, wait_until

SIZE = (160, 45)
CHICAGO = ZoneInfo("America/Chicago")
#: What a hostile or careless source might hold: escape sequences (colour, clear screen,
#: set title, OSC 8 hyperlink), C0 and C1 controls, bidi overrides, Rich markup, SQL.
NASTY = [
    "\x1b[31mred\x1b[0m",
    "\x1b[2J\x1b[H",
    "\x1b]0;pwned\x07",
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "\x9b31m",
    "tab\there\r\nnext",
    "\u202egnp.exe",
    "[bold red]markup[/]",
    "[/]",
    "[link=http://evil]x[/link]",
    "'; DROP TABLE requests; --",
    "ﷺ🚑 Zürich ß",
    "\x00nul",
]
ANY_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200
) | st.sampled_from(NASTY)


def controls(text: str) -> set[str]:
    """Characters a terminal would obey rather than show."""
    return {ch for ch in text if not ch.isprintable()}


# -- the pure parts, over any text ----------------------------------------------------------


@given(ANY_TEXT)
def test_inert_text_holds_nothing_a_terminal_would_obey(text: str) -> None:
    shown = inert(text)
    assert not controls(shown)
    # Printable text is kept as it is: only what would be obeyed changes.
    if text.isprintable():
        assert shown == text


def _row(**changes) -> QueueRow:
    base = dict(
        id=7,
        customer="Springfield",
        contact=None,
        contact_designated=False,
        channel="email",
        summary="Forms",
        received_at=NOW - timedelta(hours=1),
        emergency=False,
        emergency_unverified=False,
        assignee=None,
        due_at=NOW + timedelta(hours=3),
        first_response_at=None,
        billing_state="none",
        escalated=False,
        version=1,
    )
    return QueueRow(**(base | changes))


@given(customer=ANY_TEXT, contact=ANY_TEXT, callback=ANY_TEXT)
def test_the_alert_strip_shows_hostile_names_inert(customer, contact, callback) -> None:
    row = _row(customer=customer, contact=contact, emergency=True, emergency_unverified=True)
    notice = _row(id=8, customer=customer, billing_state="needs-notice")
    text = alerts_text(
        [row], [row], [row], [notice], {customer: (CallBack(callback, callback),)}, CHICAGO, NOW
    )
    assert isinstance(text, Text)
    assert not controls(text.plain.replace("\n", ""))
    assert "UNVERIFIED" in text.plain and "NOTICE" in text.plain


@given(needle=ANY_TEXT, summary=ANY_TEXT)
def test_the_filter_matches_exactly_what_contains_the_text(needle, summary) -> None:
    model = QueueModel("ari")
    rows = [_row(summary=summary), _row(id=8, summary="Forms")]
    model.load(rows, NOW)
    model.set_text(needle, NOW)
    wanted = needle.strip().casefold()  # surrounding blanks are ignored, as typed
    expected = [
        r.id
        for r in rows
        if wanted in f"#{r.id}\n{r.customer}\n{r.summary}\n{r.assignee or ''}".casefold()
    ]
    assert sorted(model.order) == sorted(expected)


@given(ANY_TEXT)
def test_the_notice_time_field_reads_a_time_or_says_why_not(text: str) -> None:
    try:
        at = parse_recent(text, CHICAGO, NIGHT)
    except LocalTimeError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert at <= NIGHT and at.tzinfo is UTC


# -- the running console ------------------------------------------------------------------


def _lines(widget) -> str:
    return "\n".join(
        "".join(seg.text for seg in widget.render_line(y)) for y in range(widget.size.height)
    )


def _rendered(app) -> str:
    """Every character the screen would send for the queue and the strip, as text."""
    grid = app.query_one(QueuePane).grid
    lines = ["".join(seg.text for seg in grid.render_line(y)) for y in range(grid.size.height)]
    strip = app.query_one(AlertStrip)
    lines += ["".join(seg.text for seg in strip.render_line(y)) for y in range(strip.size.height)]
    return "\n".join(lines)


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_escape_sequences_in_the_database_are_shown_not_obeyed(night_console, night_desk):
    # Another tool (psql, an import) wrote what the write path would refuse.
    with night_desk.engine.begin() as connection:
        connection.execute(
            update(Request)
            .where(Request.id == 1)
            .values(summary="\x1b[2J\x1b]0;pwned\x07 [bold red]fake[/] \x9b31m")
        )

    async def scenario() -> None:
        app = night_console("dora")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await wait_until(pilot, lambda: app.query_one(AlertStrip).display)
            queue = app.query_one(QueuePane)
            cell = queue._cells(1)["summary"]
            assert cell == "\\x1b[2J\\x1b]0;pwned\\x07 [bold red]fake[/] \\x9b31m"
            screen = _rendered(app)
            assert "\\x1b[2J" in screen  # shown, in the (narrow) summary column
            assert not controls(screen.replace("\n", ""))
            # The dialogs name it inert too.
            queue.grid.move_to(1)
            await pilot.press("x")
            await wait_until(pilot, lambda: app.screen is not app.screen_stack[0])
            assert "[bold red]fake[/]" in app.screen.details
            assert "\x1b" not in app.screen.details
            await pilot.press("escape")
            # And the detail screen, which draws Rich tables (they read strings as markup).
            await wait_until(pilot, lambda: app.screen is app.screen_stack[0])
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            facts = app.screen.query_one("#detail-facts")
            await wait_until(pilot, lambda: "Summary" in _lines(facts))
            assert "[bold red]fake[/]" in _lines(facts)
            assert not controls(_lines(facts).replace("\n", ""))

    asyncio.run(scenario())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_hostile_typing_in_every_field_is_refused_or_harmless(
    night_console, night_desk, fingerprint_of
) -> None:
    before = fingerprint_of(night_desk)
    long = "x" * 10_000

    async def scenario() -> None:
        app = night_console("lena")
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            queue = app.query_one(QueuePane)
            # The filter: any text filters without error; escape clears it.
            await pilot.press("slash")
            box = queue.query_one("#queue-filter", Input)
            for text in [*NASTY, long]:
                box.value = text
                await pilot.pause()
                assert queue.model.text == text.strip()
                assert "\\x1b" in queue.border_title or "\x1b" not in text
                assert not controls(queue.border_title)
            await pilot.press("escape")
            assert queue.model.text == ""
            # The assign picker: nothing matches, Enter picks nothing, Escape leaves.
            queue.grid.move_to(1)
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
            picker = app.screen
            for text in [*NASTY, long]:
                picker.query_one("#picker-filter", Input).value = text
                await pilot.pause()
            await pilot.press("enter", "escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, PickerScreen))
            # The escalation reason: escape sequences and 10,000 characters are refused
            # by the write path in one line, and nothing is written.
            for reason in ("\x1b[31mred", long):
                await pilot.press("e")
                await wait_until(pilot, lambda: isinstance(app.screen, TextScreen))
                app.screen.query_one("#text-value", Input).value = reason
                count = len(app._notifications)
                await pilot.press("enter")
                await wait_until(pilot, lambda count=count: len(app._notifications) > count)
                message = list(app._notifications)[-1].message
                assert "control character" in message or "too long" in message, message
                assert "\n" not in message and "\x1b" not in message
            # The notice fields: impossible times and unknown people are named, not kept.
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, NoticeScreen))
            notice = app.screen
            error = notice.query_one("#notice-error")
            for when in ("24:61", "2026-02-30 10:00", "\x1b[2J", long, "2999-01-01 10:00"):
                notice.query_one("#notice-when", Input).value = when
                await pilot.press("enter")
                await pilot.pause()
                assert str(error.render()).startswith("When: ")
                assert not controls(str(error.render()))
            notice.query_one("#notice-when", Input).value = "21:50"
            for by in ("'; DROP TABLE staff; --", "\x1b[31mlena", long):
                notice.query_one("#notice-by", Input).value = by
                await pilot.press("enter")
                await pilot.pause()
                assert "is not on the staff list" in str(error.render())
                assert not controls(str(error.render()))
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, NoticeScreen))
            assert app.is_running

    asyncio.run(scenario())
    assert fingerprint_of(night_desk) == before


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_markup_in_customer_names_is_never_parsed(text: str) -> None:
    # `Text` (not a markup string) is what every pane hands to Rich.
    row = _row(customer=text, contact=text, emergency=True, emergency_unverified=True)
    rendered = alerts_text([], [], [row], [], {}, CHICAGO, NOW)
    assert inert(text) in rendered.plain

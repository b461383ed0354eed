"""What the queue's cells and columns read at each width (issue 18): pure functions, no
screen. The pictures are in test_snapshots.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.domain.calendar import DeskCalendar
from console.domain.coverage import coverage
from console.domain.forecast import Glance
from console.domain.sla import Channel, SlaPolicy, TimerState
from console.ui.format import countdown
from console.ui.widgets.coverage_pane import coverage_text
from console.ui.widgets.escalations import COLUMNS as ESCALATION_COLUMNS
from console.ui.widgets.glance import glance_text
from console.ui.widgets.grid import Column, column_layout
from console.ui.widgets.queue_pane import COLUMNS
from tests.domain.conftest import CHICAGO, ct
from tests.domain.test_sla import make

M = timedelta(minutes=1)


@pytest.fixture(scope="module")
def calendar() -> DeskCalendar:
    return DeskCalendar()


@pytest.fixture(scope="module")
def sla(calendar: DeskCalendar) -> SlaPolicy:
    return SlaPolicy(calendar)


def keys(width: int, columns: tuple[Column, ...] = COLUMNS) -> list[str]:
    return [c.key for c, _ in column_layout(columns, width)]


def widths(width: int, columns: tuple[Column, ...] = COLUMNS) -> dict[str, int]:
    return {c.key: w for c, w in column_layout(columns, width)}


@pytest.mark.parametrize("width", [64, 77, 85, 113, 150, 200])
def test_status_assignee_sla_and_summary_always_fit(width: int) -> None:
    shown = widths(width)
    assert {"sla", "id", "summary", "status", "assignee"} <= shown.keys()
    assert shown["summary"] >= 15
    if width >= 60:  # the table is not narrower than its columns
        assert sum(shown.values()) + len(shown) <= width


def test_the_queue_at_160_columns_shows_the_contact_and_a_readable_summary() -> None:
    # 160 columns: the side column and the borders leave the queue 113 cells.
    shown = widths(113)
    assert "contact" in shown and "customer" in shown
    assert shown["summary"] >= 24
    assert shown["sla"] == 20  # `‖ 1h 40m → Wed 07:00` fits


def test_the_contact_shows_from_120_columns() -> None:
    # 120 columns: a narrow side column leaves the queue 87 cells.
    assert "contact" in keys(87)
    assert "contact" not in keys(70)


def test_the_customer_stays_at_100_columns() -> None:
    # 100 columns: the narrow side column leaves the queue 67 cells.
    shown = widths(67)
    assert "customer" in shown and shown["summary"] >= 15


def test_columns_give_way_in_their_order() -> None:
    seen = [set(keys(w)) for w in range(40, 220)]
    gone_at = {
        key: next(i for i, s in enumerate(reversed(seen)) if key not in s)
        for key in ("channel", "age", "page", "contact", "customer")
    }
    # The widest table loses nothing; narrower ones lose channel, age, page, contact,
    # customer, in that order (a later one never goes before an earlier one).
    order = sorted(gone_at, key=lambda k: gone_at[k])
    assert order == ["channel", "age", "page", "contact", "customer"]
    assert set(keys(220)) == {c.key for c in COLUMNS}


def test_escalation_reasons_keep_room() -> None:
    # 80, 100 and 160 columns: a pane each of a third of the width.
    other = ESCALATION_COLUMNS[1:]  # the panes without the technical priority
    for width, least in ((26, 11), (30, 15), (51, 21)):
        shown = widths(width, other)
        assert shown["reason"] >= least, width
        assert "assignee" in shown and "request" in shown
        assert sum(shown.values()) + len(shown) <= width
    technical = widths(26, ESCALATION_COLUMNS)
    assert "priority" in technical and technical["reason"] >= 11
    assert "customer" in widths(51, ESCALATION_COLUMNS)


def test_paused_cell_shows_the_business_time_left_and_when_it_resumes(
    sla: SlaPolicy,
) -> None:
    # An e-mail at 16:20 Tuesday has 2h 40m on Tuesday; at 21:00 it waits with 1h 20m left.
    received = ct(2026, 12, 8, 16, 20)
    now = ct(2026, 12, 8, 21)
    timer = sla.timer(make(sla, Channel.EMAIL, received), now)
    assert timer.state is TimerState.PAUSED
    assert countdown(timer, CHICAGO, now) == "‖ 1h 20m → Wed 07:00"
    assert countdown(timer, CHICAGO, now, compact=True) == "‖ 1h 20m"


def test_an_unverified_emergency_reads_verify_not_met(sla: SlaPolicy) -> None:
    received = ct(2026, 12, 8, 9)
    req = make(sla, Channel.CALL, received, emergency=True)
    req.first_response_at = received
    timer = sla.timer(req, received + 5 * M)
    assert countdown(timer, CHICAGO, received) == "✓ met"
    assert countdown(timer, CHICAGO, received, unverified=True) == "! verify"


def test_nobody_on_call_is_neutral_while_the_desk_is_open(calendar: DeskCalendar) -> None:
    day, night = ct(2026, 12, 8, 10), ct(2026, 12, 8, 21)
    by_day = coverage_text(coverage(calendar, [], {}, day), CHICAGO, day)
    at_night = coverage_text(coverage(calendar, [], {}, night), CHICAGO, night)
    line = next(i for i, x in enumerate(by_day.plain.splitlines()) if x.startswith("On call"))
    assert by_day.plain.splitlines()[line] == "On call: nobody (desk open)"
    start = by_day.plain.index("nobody (desk open)")
    assert not [s for s in by_day.spans if s.start <= start < s.end and "red" in str(s.style)]
    start = at_night.plain.index("On call: NOBODY") + len("On call: ")
    assert [s for s in at_night.spans if s.start <= start < s.end and "red" in str(s.style)]


def test_the_glance_line_reads_in_words_and_short() -> None:
    counts = Glance(breached=3, due_soon=0, unassigned=4, emergencies=1, free=2, on_duty=4)
    long, short = glance_text(counts).plain, glance_text(counts, short=True).plain
    assert long.split(" · ") == [
        " ✖ 3 breached",
        "! 0 due within 1h",
        "4 unassigned",
        "⚑ 1 emergency",
        "triage 0",
        "free 2 / 4 on duty",
    ]
    assert short == " ✖ 3 · ! 0 <1h · 4 unassigned · ⚑ 1 · triage 0 · free 2/4"
    zero = next(s for s in glance_text(counts).spans if "0 due" in long[s.start : s.end])
    assert zero.style == "dim"  # nothing to do reads quietly

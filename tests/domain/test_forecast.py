"""The glance counts and the breach forecast (issue 18), with the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.forecast import Glance, breach_forecast, glance

NOW = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
M = timedelta(minutes=1)


def at(*minutes: int) -> list[datetime]:
    return [NOW + m * M for m in minutes]


def test_with_nobody_free_each_slot_counts_what_falls_due_in_it() -> None:
    due = at(-30, 1, 14, 15, 16, 44, 59, 60, 61, 300)
    # Already breached (-30) and beyond the hour (61, 300) are not in the forecast;
    # a due time on a slot's end belongs to that slot.
    assert breach_forecast(due, NOW, free_agents=0) == (3, 1, 1, 2)


def test_free_agents_answer_the_soonest_due_first() -> None:
    due = at(5, 6, 7, 20, 50)
    # One free agent: 5 is answered at the start of slot 1, 6 and 7 breach; 20 is answered
    # in slot 2; 50 in slot 3 (answered before it is due).
    assert breach_forecast(due, NOW, free_agents=1) == (2, 0, 0, 0)
    assert breach_forecast(due, NOW, free_agents=3) == (0, 0, 0, 0)


def test_answering_a_breached_request_saves_nothing_so_the_forecast_skips_them() -> None:
    assert breach_forecast(at(-60, -1, 10), NOW, free_agents=1) == (0, 0, 0, 0)


def test_slots_and_their_length_can_be_chosen() -> None:
    assert breach_forecast(at(1, 2, 31), NOW, 0, slots=2, slot=30 * M) == (2, 1)
    with pytest.raises(ValueError):
        breach_forecast([], NOW, 0, slots=0)


@given(
    st.lists(st.integers(min_value=-120, max_value=180), max_size=40),
    st.integers(min_value=0, max_value=5),
)
def test_more_agents_never_forecast_more_breaches(minutes: list[int], agents: int) -> None:
    due = at(*minutes)
    fewer = breach_forecast(due, NOW, agents)
    more = breach_forecast(due, NOW, agents + 1)
    assert sum(more) <= sum(fewer)
    alone = breach_forecast(due, NOW, 0)
    assert sum(alone) == sum(1 for m in minutes if 0 < m <= 60)
    assert all(n >= 0 for n in fewer)


def test_the_glance_counts_the_desk() -> None:
    # Breached (one a minute ago, one due this instant), due within the hour (+60 exactly),
    # and one beyond it (+61).
    due = at(-1, 0, 60, 61)
    counts = glance(due, NOW, unassigned=3, emergencies=1, triage=1, free=2, on_duty=4)
    assert counts == Glance(
        breached=2, due_soon=1, unassigned=3, emergencies=1, triage=1, free=2, on_duty=4
    )
    assert glance([], NOW) == Glance()

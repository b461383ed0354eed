"""Coverage: who is on duty, who is on call, and the gaps (POLICY.md section 6)."""

from __future__ import annotations

from datetime import timedelta

from console.domain.calendar import CalendarRules, DeskCalendar
from console.domain.coverage import (
    OpenEmergency,
    Presence,
    Shift,
    ShiftKind,
    coverage,
    duty_summary,
    next_on_call,
    on_call_at,
    on_call_gaps,
    uncovered_emergencies,
)
from console.domain.hours import parse_windows
from tests.domain.conftest import ct

DUTY, ON_CALL = ShiftKind.DUTY, ShiftKind.ON_CALL
TUESDAY = ct(2026, 12, 8, 10)


def duty(staff: str) -> Shift:
    return Shift(staff, ct(2026, 12, 8, 7), ct(2026, 12, 8, 15), DUTY)


def test_duty_counts_and_all_lines_busy(calendar: DeskCalendar) -> None:
    shifts = [
        duty("ann"),
        duty("bob"),
        duty("cy"),
        Shift("dee", ct(2026, 12, 8, 15), ct(2026, 12, 8, 19), DUTY),
    ]
    presence = {"ann": Presence.AVAILABLE, "bob": Presence.ON_A_CALL, "cy": Presence.AWAY}
    summary = duty_summary(calendar, shifts, presence, TUESDAY)
    assert [d.staff for d in summary.on_duty] == ["ann", "bob", "cy"]
    assert (summary.free, summary.on_a_call, summary.away) == (1, 1, 1)
    assert not summary.all_lines_busy
    presence["ann"] = Presence.ON_A_CALL
    assert duty_summary(calendar, shifts, presence, TUESDAY).all_lines_busy


def test_unknown_presence_counts_as_away_and_empty_desk_is_unstaffed(
    calendar: DeskCalendar,
) -> None:
    summary = duty_summary(calendar, [duty("ann")], {}, TUESDAY)
    assert summary.away == 1 and summary.free == 0
    assert duty_summary(calendar, [], {}, TUESDAY).unstaffed
    # Closed desk: no alarm even with nobody free.
    assert not duty_summary(calendar, [], {}, ct(2026, 12, 8, 22)).unstaffed


def test_on_call_now_and_next() -> None:
    shifts = [
        Shift("ann", ct(2026, 12, 8, 19), ct(2026, 12, 9, 7), ON_CALL),
        Shift("bob", ct(2026, 12, 9, 19), ct(2026, 12, 10, 7), ON_CALL),
        Shift("cy", ct(2026, 12, 8, 7), ct(2026, 12, 8, 19), DUTY),
    ]
    now = ct(2026, 12, 8, 23)
    assert [c.staff for c in on_call_at(shifts, now)] == ["ann"]
    assert on_call_at(shifts, now)[0].end == ct(2026, 12, 9, 7)
    upcoming = next_on_call(shifts, now)
    assert upcoming is not None and upcoming.staff == "bob"


def test_gaps_are_closed_time_without_on_call(calendar: DeskCalendar) -> None:
    # Tuesday 10:00: nights covered Tue and Thu, Wednesday night is not.
    shifts = [
        Shift("ann", ct(2026, 12, 8, 19), ct(2026, 12, 9, 7), ON_CALL),
        Shift("bob", ct(2026, 12, 10, 19), ct(2026, 12, 11, 7), ON_CALL),
    ]
    gaps = on_call_gaps(calendar, shifts, TUESDAY, horizon=timedelta(days=4))
    assert gaps[0].start == ct(2026, 12, 9, 19) and gaps[0].end == ct(2026, 12, 10, 7)
    # Friday 07:00 onwards is open desk until 19:00, then uncovered to the horizon end.
    assert gaps[-1].start == ct(2026, 12, 11, 19)
    assert gaps[-1].end == TUESDAY + timedelta(days=4)
    assert len(gaps) == 2


def test_full_cover_has_no_gaps(calendar: DeskCalendar) -> None:
    shifts = [Shift("ann", TUESDAY - timedelta(days=1), TUESDAY + timedelta(days=8), ON_CALL)]
    assert on_call_gaps(calendar, shifts, TUESDAY) == ()


def test_coverage_bundles_everything(calendar: DeskCalendar) -> None:
    shifts = [duty("ann"), Shift("bob", ct(2026, 12, 8, 19), ct(2026, 12, 9, 7), ON_CALL)]
    view = coverage(calendar, shifts, {"ann": Presence.AVAILABLE}, TUESDAY)
    assert view.desk.open
    assert view.duty.free == 1
    assert view.on_call_now == ()
    assert view.on_call_next is not None and view.on_call_next.staff == "bob"
    assert view.gaps[0].start == ct(2026, 12, 9, 19)  # Wednesday night is the first gap


def test_an_unassigned_emergency_in_an_on_call_gap_is_uncovered(calendar: DeskCalendar) -> None:
    # Ann covers Tuesday night; Wednesday night nobody does.
    shifts = [Shift("ann", ct(2026, 12, 8, 19), ct(2026, 12, 9, 7), ON_CALL)]
    waiting = OpenEmergency(9, ct(2026, 12, 9, 21), None)
    older = OpenEmergency(4, ct(2026, 12, 9, 20), None)
    taken = OpenEmergency(5, ct(2026, 12, 9, 20, 30), "abe")
    emergencies = [waiting, taken, older]
    in_gap = ct(2026, 12, 9, 22)
    assert uncovered_emergencies(calendar, shifts, emergencies, in_gap) == (older, waiting)
    # Ann on call: she is the one to give it to, so no alarm; the same with the desk open.
    assert uncovered_emergencies(calendar, shifts, emergencies, ct(2026, 12, 8, 22)) == ()
    assert uncovered_emergencies(calendar, shifts, emergencies, ct(2026, 12, 10, 8)) == ()
    # Nothing open: nothing to raise, even in the gap.
    assert uncovered_emergencies(calendar, shifts, [taken], in_gap) == ()


def test_a_lunch_break_is_closed_time_and_needs_on_call() -> None:
    lunch = DeskCalendar(
        CalendarRules(hours=dict.fromkeys(range(5), parse_windows("07:00-12:00,13:00-19:00")))
    )
    start, horizon = ct(2026, 12, 8, 7), timedelta(hours=12)
    (gap,) = on_call_gaps(lunch, [], start, horizon)
    assert (gap.start, gap.end) == (ct(2026, 12, 8, 12), ct(2026, 12, 8, 13))
    cover = [Shift("ann", ct(2026, 12, 8, 12), ct(2026, 12, 8, 13), ON_CALL)]
    assert on_call_gaps(lunch, cover, start, horizon) == ()

"""The glance line's counts and the breach forecast, from the desk model's latest rows (so
they stay true while the panes are paused). The arithmetic is in `console.domain.forecast`;
this only feeds it the desk's rows and staffing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.domain.calendar import DeskCalendar
from console.domain.coverage import duty_summary
from console.domain.forecast import Glance, Waiting, breach_forecast, glance
from console.ui.model.desk import DeskState


@dataclass(frozen=True)
class DeskGlance:
    """What the glance line draws."""

    counts: Glance
    #: Breaches in each of the next four 15-minute slots at the current staffing.
    forecast: tuple[int, ...]


def desk_glance(desk: DeskState, calendar: DeskCalendar, now: datetime) -> DeskGlance:
    duty = duty_summary(calendar, desk.roster.shifts, desk.roster.presence, now)
    waiting = [
        Waiting(
            None if r.first_response_at is not None else r.due_at,
            r.assignee is not None,
            r.emergency,
            r.triage,
        )
        for r in desk.requests.values()
    ]
    counts = glance(waiting, now, duty.free, len(duty.on_duty))
    due = (w.due_at for w in waiting if w.due_at is not None and not w.triage)
    return DeskGlance(counts, breach_forecast(due, now, duty.free))

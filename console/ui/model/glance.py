"""The glance line's counts and the breach forecast, from the desk model's latest rows (so
they stay true while the panes are paused). The arithmetic is in `console.domain.forecast`;
this only feeds it the desk's rows and staffing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.domain.calendar import DeskCalendar
from console.domain.coverage import duty_summary
from console.domain.forecast import Glance, breach_forecast, glance
from console.ui.model.desk import DeskState


@dataclass(frozen=True)
class DeskGlance:
    """What the glance line draws."""

    counts: Glance
    #: Breaches in each of the next four 15-minute slots at the current staffing.
    forecast: tuple[int, ...]


def desk_glance(desk: DeskState, calendar: DeskCalendar, now: datetime) -> DeskGlance:
    """One pass over the latest rows (this runs each second: no objects per row)."""
    duty = duty_summary(calendar, desk.roster.shifts, desk.roster.presence, now)
    due: list[datetime] = []
    unassigned = emergencies = triage = 0
    for row in desk.requests.values():
        if row.triage:  # counted as triage only, as the queue lists them apart
            triage += 1
            continue
        unassigned += row.assignee is None
        emergencies += row.emergency
        if row.due_at is not None and row.first_response_at is None:
            due.append(row.due_at)
    counts = glance(
        due,
        now,
        unassigned=unassigned,
        emergencies=emergencies,
        triage=triage,
        free=duty.free,
        on_duty=len(duty.on_duty),
    )
    return DeskGlance(counts, breach_forecast(due, now, duty.free))

"""The glance line's counts and the breach forecast, from the desk model's latest rows (so
they stay true while the panes are paused). The arithmetic is in `console.domain.forecast`;
this only feeds it the desk's rows and staffing."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime

from console.domain.calendar import DeskCalendar
from console.domain.coverage import duty_summary
from console.domain.forecast import SOON, Glance, breach_forecast, glance
from console.ui.model.desk import DeskState


@dataclass(frozen=True)
class DeskGlance:
    """What the glance line draws."""

    counts: Glance
    #: Breaches in each of the next four 15-minute slots at the current staffing.
    forecast: tuple[int, ...]


def desk_glance(desk: DeskState, calendar: DeskCalendar, now: datetime) -> DeskGlance:
    """The glance at `now` over every row, no shortcut: what `GlanceCache` must equal."""
    tally = _tally(desk)
    return _view(desk, calendar, now, tally, near=tally.due, pending=tally.due)


#: Above this many requests a batch of changes leaves the glance line to the next tick
#: (at most a second later): a pass over 50,000 rows on every batch held the screen back.
DEFER_ABOVE = 5_000


@dataclass(frozen=True)
class _Tally:
    """What the glance needs of the rows that does not move with the clock."""

    unassigned: int
    emergencies: int
    triage: int
    #: Due times of the requests not answered yet, sorted.
    due: list[datetime]


class GlanceCache:
    """The desk glance at any `now`, passing over the rows only after they changed: each
    tick then costs two binary searches and the forecast over what is still pending."""

    def __init__(self) -> None:
        self._tally: _Tally | None = None

    @property
    def stale(self) -> bool:
        return self._tally is None

    def invalidate(self) -> None:
        self._tally = None

    def glance(self, desk: DeskState, calendar: DeskCalendar, now: datetime) -> DeskGlance:
        if self._tally is None:
            self._tally = _tally(desk)
        due = self._tally.due
        # Only the due times up to an hour ahead can count as breached or due soon. The
        # forecast counts breaches within its slots only, and the agents answer the soonest
        # first: what is due after the last slot (SLOTS x SLOT = SOON) cannot change its
        # figures (the test holds this cache to `desk_glance` over the whole rows).
        near = due[: bisect.bisect_right(due, now + SOON)]
        pending = near[bisect.bisect_right(near, now) :]
        return _view(desk, calendar, now, self._tally, near=near, pending=pending)


def _view(
    desk: DeskState,
    calendar: DeskCalendar,
    now: datetime,
    tally: _Tally,
    *,
    near: list[datetime],
    pending: list[datetime],
) -> DeskGlance:
    duty = duty_summary(calendar, desk.roster.shifts, desk.roster.presence, now)
    counts = glance(
        near,
        now,
        unassigned=tally.unassigned,
        emergencies=tally.emergencies,
        triage=tally.triage,
        free=duty.free,
        on_duty=len(duty.on_duty),
    )
    return DeskGlance(counts, breach_forecast(pending, now, duty.free))


def _tally(desk: DeskState) -> _Tally:
    due: list[datetime] = []
    unassigned = emergencies = triage = 0
    for row in desk.requests.values():
        if row.triage:
            triage += 1
            continue
        unassigned += row.assignee is None
        emergencies += row.emergency
        if row.due_at is not None and row.first_response_at is None:
            due.append(row.due_at)
    due.sort()
    return _Tally(unassigned, emergencies, triage, due)

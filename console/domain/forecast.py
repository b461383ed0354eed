"""How the desk stands and what will breach next: the counts of the glance line and the
breach forecast (issue 18), as pure functions of the waiting requests and `now`.

The forecast answers "if we go on as we are, how many requests breach in each of the next
four quarters of an hour?". It assumes the best the desk can do at its current staffing:
each free agent answers one request per slot, always the one due soonest that has not
breached yet (answering a breached request saves nothing). Whatever is left past its due
time in a slot is counted as a breach of that slot. With nobody free it is the plain
count of due times per slot; a business-clock request paused overnight is due in the
morning, so it is not in tonight's forecast.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

#: The forecast's slots: four of fifteen minutes, the next hour.
SLOT = timedelta(minutes=15)
SLOTS = 4
#: What "due soon" means on the glance line.
SOON = timedelta(hours=1)


@dataclass(frozen=True)
class Glance:
    """The desk's counts at one instant (the glance line)."""

    breached: int = 0
    #: Not breached yet, due within `SOON` on the wall clock.
    due_soon: int = 0
    unassigned: int = 0
    emergencies: int = 0
    triage: int = 0
    free: int = 0
    on_duty: int = 0


def glance(
    due_times: Iterable[datetime],
    now: datetime,
    *,
    unassigned: int = 0,
    emergencies: int = 0,
    triage: int = 0,
    free: int = 0,
    on_duty: int = 0,
) -> Glance:
    """The counts at `now`, given the due times of the requests not answered yet (triage
    ones apart) and the counts that do not depend on the clock."""
    breached = due_soon = 0
    soon = now + SOON
    for due in due_times:
        if due <= now:
            breached += 1
        elif due <= soon:
            due_soon += 1
    return Glance(breached, due_soon, unassigned, emergencies, triage, free, on_duty)


def breach_forecast(
    due_times: Iterable[datetime],
    now: datetime,
    free_agents: int,
    slots: int = SLOTS,
    slot: timedelta = SLOT,
) -> tuple[int, ...]:
    """How many of the requests due at `due_times` (not answered yet) breach in each of the
    next `slots` slots after `now`, if each of `free_agents` answers one per slot."""
    if slots < 1 or slot <= timedelta(0):
        raise ValueError("a forecast needs at least one slot of some length")
    pending = sorted(d for d in due_times if d > now)
    answers = max(0, free_agents)
    breaches: list[int] = []
    first = 0  # pending[:first] are answered or breached already
    for index in range(slots):
        end = now + slot * (index + 1)
        # The agents take the soonest-due requests first, at the start of the slot.
        first = min(len(pending), first + answers)
        # What is still waiting and due by the end of the slot breaches in it.
        due_by_end = bisect.bisect_right(pending, end, lo=first)
        breaches.append(due_by_end - first)
        first = due_by_end
    return tuple(breaches)

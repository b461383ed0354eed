"""The console's model of the desk: one `DeskState`, no widgets.

It takes a loaded board or a batch of changes and says what changed (`Changed`), and it
answers what the panes and the actions ask: the rows and their versions, the alerts, the
emergencies nobody covers, the pickers' candidates, who is signed in and their role.

Two copies of the queue and the escalations are kept apart on purpose:

* the **latest** rows (`requests`, `escalations`), always current, even while the
  console is paused: the alert strip, the bell, the coverage alarm read these;
* the **shown** rows (`queue`, `shown_escalations`), what the panes draw and what an
  action writes against (the versions the person saw). Pausing freezes only these;
  resuming brings them to the latest in one step.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from console.domain.calendar import DeskCalendar
from console.domain.coverage import OpenEmergency, uncovered_emergencies
from console.domain.escalation import Destination
from console.store.board_rows import (
    BoardChanges,
    BoardState,
    CallBack,
    EscalationRow,
    FollowUp,
    HandoffRow,
    QueueRow,
    Roster,
)
from console.ui.model.picking import Candidate as Candidate  # re-exported for the dialogs
from console.ui.model.picking import candidates
from console.ui.model.queue import QueueModel


@dataclass(frozen=True)
class Identity:
    """Who is signed in; `role` is None when the handle is not on the staff."""

    handle: str
    role: str | None = None

    @property
    def label(self) -> str:
        return f"{self.handle} ({self.role or 'not on staff'})"


@dataclass(frozen=True)
class Alerts:
    """The alert strip's rows, oldest first, from the latest rows."""

    uncovered: tuple[QueueRow, ...] = ()
    #: Emergencies whose page is past its acknowledgement timeout.
    unanswered: tuple[QueueRow, ...] = ()
    unverified: tuple[QueueRow, ...] = ()
    needs_notice: tuple[QueueRow, ...] = ()
    handoffs: tuple[HandoffRow, ...] = ()


@dataclass(frozen=True)
class Changed:
    """What one load or batch changed, for the views to redraw and the bell."""

    #: The queue's order changed (redraw it all); else only `queue_rows` need redrawing.
    queue_reordered: bool = False
    queue_rows: frozenset[int] = frozenset()
    escalations: bool = False
    #: The coverage, follow-ups or staff lists changed.
    side: bool = False
    identity: bool = False
    #: New emergencies (ring, flash), even while paused.
    alarms: tuple[int, ...] = ()
    #: A row the alert strip or the coverage alarm may show changed (redraw them).
    alerts: bool = False
    #: Rows (requests and escalations) changed while paused, not on the panes yet.
    held: int = 0


def escalation_order(row: EscalationRow) -> tuple[bool, int, datetime]:
    if row.destination == Destination.TECHNICAL:
        # The technical team's own order first; unprioritised items after, oldest first.
        return (row.technical_priority is None, row.technical_priority or 0, row.opened_at)
    return (False, 0, row.opened_at)


@dataclass
class DeskState:
    identity: Identity
    requests: dict[int, QueueRow] = field(default_factory=dict)
    escalations: dict[int, EscalationRow] = field(default_factory=dict)
    shown_escalations: dict[int, EscalationRow] = field(default_factory=dict)
    roster: Roster = field(default_factory=Roster)
    followups: tuple[FollowUp, ...] = ()
    staff_roles: dict[str, str] = field(default_factory=dict)
    #: Handle to department, for the pickers and the technical-lead check.
    staff_departments: dict[str, str] = field(default_factory=dict)
    #: Customer name to its designated emergency contacts, to call back.
    designated: dict[str, tuple[CallBack, ...]] = field(default_factory=dict)
    #: Handle to the person's name, for a conflict told in the desk's words.
    staff_names: dict[str, str] = field(default_factory=dict)
    loaded: bool = False
    paused: bool = False
    #: Rows (requests and escalations) changed while paused and not on the panes yet:
    #: what `PAUSED · N held` counts (one emergency is one row, whatever its events).
    held: int = 0
    _held_rows: set[tuple[str, int]] = field(default_factory=set)
    #: Mail held in quarantine (issue 15), for the top line.
    intake_held: int = 0
    #: Every customer's name: the picker that attaches a triage request.
    customers: tuple[str, ...] = ()
    #: Open (unacknowledged) shift handoff pages, oldest first: `H` acknowledges the first.
    handoffs: tuple[HandoffRow, ...] = ()

    def __post_init__(self) -> None:
        self.queue = QueueModel(self.identity.handle)
        # Kept as rows change, so the alerts never walk the whole queue.
        self._emergencies: set[int] = set()
        self._unverified: set[int] = set()
        self._needs_notice: set[int] = set()
        #: (due instant, id) of latest rows not breached yet: the next breach is on top.
        self._due: list[tuple[datetime, int]] = []

    # -- taking data in -------------------------------------------------------------------

    def load(self, state: BoardState, now: datetime) -> Changed:
        """The whole picture; a load is asked for, so it shows even while paused."""
        self.requests = dict(state.requests)
        self.escalations = dict(state.escalations)
        self.shown_escalations = dict(state.escalations)
        self.queue.load(self.requests.values(), now)
        for bucket in (self._emergencies, self._unverified, self._needs_notice):
            bucket.clear()
        for row in self.requests.values():
            self._track(row)
        self._due = [
            (r.due_at, r.id)
            for r in self.requests.values()
            if r.due_at is not None and _pending(r, now)
        ]
        heapq.heapify(self._due)
        self.roster, self.followups = state.roster, state.followups
        self.staff_departments = state.staff_departments
        self.designated, self.staff_names = state.designated, state.staff_names
        self.intake_held, self.customers = state.intake_held, state.customers
        self.handoffs = state.handoffs
        identity = self._set_roles(state.staff_roles)
        self.loaded, self.held = True, 0
        self._held_rows.clear()
        return Changed(
            queue_reordered=True, escalations=True, side=True, identity=identity, alerts=True
        )

    def apply(self, changes: BoardChanges, now: datetime, *, keep_order: bool = False) -> Changed:
        """A batch of changed rows. The latest rows always take it; the shown ones only
        when not paused (`keep_order`: the person is navigating, do not move rows)."""
        alarms = tuple(
            i for i, r in changes.requests.items() if r.emergency and i not in self.requests
        )
        alerts = False
        for row_id in changes.requests_gone:
            self.requests.pop(row_id, None)
            alerts = self._alerting(row_id) or alerts
            for bucket in (self._emergencies, self._unverified, self._needs_notice):
                bucket.discard(row_id)
        self.requests.update(changes.requests)
        for row in changes.requests.values():
            was = self._alerting(row.id)
            self._track(row)
            alerts = was or self._alerting(row.id) or alerts
            if row.due_at is not None and _pending(row, now):
                heapq.heappush(self._due, (row.due_at, row.id))
        for row_id in changes.escalations_gone:
            self.escalations.pop(row_id, None)
        self.escalations.update(changes.escalations)
        side = self._apply_side(changes)
        if changes.handoffs is not None and changes.handoffs != self.handoffs:
            self.handoffs, alerts = changes.handoffs, True
        identity = (
            self._set_roles(changes.staff_roles) if changes.staff_roles is not None else False
        )
        if self.paused:
            self._held_rows.update(("request", i) for i in changes.requests)
            self._held_rows.update(("request", i) for i in changes.requests_gone)
            self._held_rows.update(("escalation", i) for i in changes.escalations)
            self._held_rows.update(("escalation", i) for i in changes.escalations_gone)
            self.held = len(self._held_rows)
            return Changed(
                side=side, identity=identity, alarms=alarms, alerts=alerts, held=self.held
            )
        _new, reordered = self.queue.apply(
            changes.requests, changes.requests_gone, now, keep_order=keep_order
        )
        escalations = bool(changes.escalations or changes.escalations_gone)
        if escalations:
            self.shown_escalations = dict(self.escalations)
        return Changed(
            queue_reordered=reordered,
            queue_rows=frozenset(changes.requests),
            escalations=escalations,
            side=side,
            identity=identity,
            alarms=alarms,
            alerts=alerts,
        )

    def _apply_side(self, changes: BoardChanges) -> bool:
        side = False
        if changes.roster is not None:
            self.roster, side = changes.roster, True
        if changes.followups is not None:
            self.followups, side = changes.followups, True
        if changes.staff_departments is not None:
            self.staff_departments, side = changes.staff_departments, True
        if changes.designated is not None:
            self.designated, side = changes.designated, True
        if changes.staff_names is not None:
            self.staff_names = changes.staff_names
        if changes.intake_held is not None:
            self.intake_held = changes.intake_held
        if changes.customers is not None:
            self.customers = changes.customers
        return side

    def _set_roles(self, roles: dict[str, str]) -> bool:
        self.staff_roles = roles
        role = roles.get(self.identity.handle)
        if role == self.identity.role:
            return False
        self.identity = Identity(self.identity.handle, role)
        return True

    def _alerting(self, row_id: int) -> bool:
        return (
            row_id in self._emergencies
            or row_id in self._unverified
            or (row_id in self._needs_notice)
        )

    def _track(self, row: QueueRow) -> None:
        for bucket, member in (
            (self._emergencies, row.emergency),
            (self._unverified, row.emergency_unverified),
            (self._needs_notice, row.billing_state == "needs-notice"),
        ):
            if member:
                bucket.add(row.id)
            else:
                bucket.discard(row.id)

    # -- pause ------------------------------------------------------------------------------

    def pause(self) -> None:
        self.paused = True

    def resume(self, now: datetime, *, keep_order: bool = False) -> Changed:
        """Bring the panes to the latest rows in one step."""
        self.paused, self.held = False, 0
        self._held_rows.clear()
        shown = self.queue.rows
        upserts = {i: r for i, r in self.requests.items() if shown.get(i) != r}
        gone = frozenset(shown.keys() - self.requests.keys())
        _new, reordered = self.queue.apply(upserts, gone, now, keep_order=keep_order)
        escalations = self.shown_escalations != self.escalations
        self.shown_escalations = dict(self.escalations)
        return Changed(
            queue_reordered=reordered, queue_rows=frozenset(upserts), escalations=escalations
        )

    # -- what the panes and actions ask -------------------------------------------------------

    def request(self, request_id: object) -> QueueRow | None:
        """The request as the queue shows it (the version an action writes against)."""
        return self.queue.rows.get(request_id) if isinstance(request_id, int) else None

    def escalation(self, escalation_id: object) -> EscalationRow | None:
        shown = self.shown_escalations
        return shown.get(escalation_id) if isinstance(escalation_id, int) else None

    def requests_of(self, keys: Iterable[object]) -> list[QueueRow]:
        return [r for r in map(self.request, keys) if r is not None]

    def escalations_of(self, keys: Iterable[object]) -> list[EscalationRow]:
        return [r for r in map(self.escalation, keys) if r is not None]

    def escalations_to(self, destination: Destination) -> list[EscalationRow]:
        """One destination's shown escalations, in the order its pane lists them."""
        rows = [r for r in self.shown_escalations.values() if r.destination == destination]
        return sorted(rows, key=escalation_order)

    def department_of(self, handle: str) -> str | None:
        return self.staff_departments.get(handle)

    def new_breaches(self, now: datetime) -> list[int]:
        """Requests that breached since the last call (each reported once), paused or not."""
        found = []
        while self._due and self._due[0][0] <= now:
            due, row_id = heapq.heappop(self._due)
            row = self.requests.get(row_id)
            if row is not None and row.due_at == due and row.first_response_at is None:
                found.append(row_id)
        return found

    def oldest(self, ids: Iterable[int]) -> tuple[QueueRow, ...]:
        rows = (self.requests[i] for i in ids if i in self.requests)
        return tuple(sorted(rows, key=lambda r: (r.received_at, r.id)))

    def uncovered(self, calendar: DeskCalendar, now: datetime) -> tuple[QueueRow, ...]:
        """Open emergencies nobody has and nobody can be given (an on-call gap)."""
        waiting = uncovered_emergencies(
            calendar,
            self.roster.shifts,
            (
                OpenEmergency(r.id, r.received_at, r.assignee)
                for r in self.oldest(self._emergencies)
            ),
            now,
        )
        return tuple(self.requests[e.request_id] for e in waiting)

    def alerts(self, calendar: DeskCalendar, now: datetime) -> Alerts:
        return Alerts(
            self.uncovered(calendar, now),
            tuple(r for r in self.oldest(self._emergencies) if r.page_overdue(now)),
            self.oldest(self._unverified),
            self.oldest(self._needs_notice),
            self.handoffs,
        )

    def candidates(
        self, department: str | None, now: datetime, held: Sequence[QueueRow | EscalationRow] = ()
    ) -> list[Candidate]:
        """People to pick from, on duty and free first, then by what they hold (requests
        and escalations); after a conflict `held` marks who holds those rows now."""
        return candidates(
            self.staff_departments,
            department,
            self.requests.values(),
            self.escalations.values(),
            self.roster,
            self.staff_names,
            now,
            held,
        )


def _pending(row: QueueRow, now: datetime) -> bool:
    return row.due_at is not None and row.first_response_at is None and row.due_at > now

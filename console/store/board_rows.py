"""What the console shows, as plain immutable rows: the queue, escalations, coverage
input, follow-ups, one request in full, and the state and changes that carry them from
`console.store.board` to the screen. No queries here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from console.domain.coverage import Presence, Shift


@dataclass(frozen=True)
class QueueRow:
    """One open request as the queue shows it."""

    id: int
    customer: str
    contact: str | None
    contact_designated: bool
    channel: str
    summary: str
    received_at: datetime
    emergency: bool
    emergency_unverified: bool
    assignee: str | None
    due_at: datetime | None
    first_response_at: datetime | None
    billing_state: str
    escalated: bool
    version: int
    #: The emergency's latest page (issue 16): open / acked / closed, or None (no page).
    page_state: str | None = None
    #: 0: the first page; n: the n-th escalation step.
    page_step: int = 0
    #: When it was last paged, or acknowledged (acked).
    page_at: datetime | None = None
    #: Who was paged first at this step, or who acknowledged it.
    page_by: str | None = None
    #: When the next step is due while unacknowledged.
    page_due: datetime | None = None
    #: In triage (issue 15): mail from an unknown sender, no customer ("(unknown sender)").
    triage: bool = False

    def page_overdue(self, now: datetime) -> bool:
        """An open page past its acknowledgement timeout."""
        return self.page_state == "open" and self.page_due is not None and self.page_due <= now

    @property
    def status(self) -> str:
        """A word for where the request stands."""
        if self.triage:
            return "triage"
        if self.emergency_unverified:
            return "unverified"
        if self.escalated:
            return "escalated"
        if self.billing_state == "needs-notice":
            return "needs notice"
        if self.first_response_at is not None:
            return "responded"
        return "assigned" if self.assignee else "new"


@dataclass(frozen=True)
class EscalationRow:
    id: int
    request_id: int
    customer: str
    destination: str
    assignee: str | None
    reason: str | None
    technical_priority: int | None
    opened_at: datetime
    version: int


@dataclass(frozen=True)
class CallBack:
    """A customer's designated emergency contact, to call back about an emergency."""

    name: str
    phone: str | None

    def __str__(self) -> str:
        return f"{self.name} {self.phone}" if self.phone else self.name


@dataclass(frozen=True)
class HandoffRow:
    """An open (unacknowledged) shift handoff page, as the alert strip shows it (issue 16).
    The counts are what the page said when it was last sent; None for a page written
    before they were kept."""

    page_id: int
    opened_at: datetime
    outgoing: str
    incoming: str | None
    #: Who was paged at the page's current step.
    paged: tuple[str, ...]
    emergencies: int | None = None
    notices: int | None = None
    gaps: int | None = None


@dataclass(frozen=True)
class FollowUp:
    customer_id: int
    customer: str
    liaison: str | None
    due: date


@dataclass(frozen=True)
class Roster:
    """Shifts near now and everyone's presence: the coverage pane's input."""

    shifts: tuple[Shift, ...] = ()
    presence: dict[str, Presence] = field(default_factory=dict)


@dataclass(frozen=True)
class BoardState:
    requests: dict[int, QueueRow]
    escalations: dict[int, EscalationRow]
    roster: Roster
    followups: tuple[FollowUp, ...]
    staff_roles: dict[str, str]
    last_event_id: int
    #: Handle to department, for the pickers (who may take an escalation).
    staff_departments: dict[str, str] = field(default_factory=dict)
    #: Customer name to its designated emergency contacts: who to call back.
    designated: dict[str, tuple[CallBack, ...]] = field(default_factory=dict)
    #: Handle to the person's name, for messages in the desk's words (a conflict).
    staff_names: dict[str, str] = field(default_factory=dict)
    #: Mail held in quarantine (unreadable), for the top line (issue 15).
    intake_held: int = 0
    #: Every customer's name, sorted: the picker that attaches a triage request.
    customers: tuple[str, ...] = ()
    #: Open shift handoff pages, oldest first (issue 16).
    handoffs: tuple[HandoffRow, ...] = ()


@dataclass(frozen=True)
class BoardChanges:
    """What a batch changed: rows to upsert, ids to drop, parts to replace."""

    requests: dict[int, QueueRow] = field(default_factory=dict)
    requests_gone: frozenset[int] = frozenset()
    escalations: dict[int, EscalationRow] = field(default_factory=dict)
    escalations_gone: frozenset[int] = frozenset()
    roster: Roster | None = None
    followups: tuple[FollowUp, ...] | None = None
    staff_roles: dict[str, str] | None = None
    staff_departments: dict[str, str] | None = None
    designated: dict[str, tuple[CallBack, ...]] | None = None
    staff_names: dict[str, str] | None = None
    intake_held: int | None = None
    customers: tuple[str, ...] | None = None
    #: All open handoffs again, when a batch touched a page.
    handoffs: tuple[HandoffRow, ...] | None = None


@dataclass(frozen=True)
class WorkEntry:
    staff: str
    started_at: datetime
    ended_at: datetime
    note: str | None


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    actor: str
    kind: str
    entity: str
    entity_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class RequestDetail:
    row: QueueRow | None  # None when the request is resolved (not in the queue)
    request_id: int
    status: str
    resolved_at: datetime | None
    contact_phone: str | None
    contact_email: str | None
    designated_contacts: tuple[str, ...]
    work: tuple[WorkEntry, ...]
    notices: tuple[str, ...]
    escalations: tuple[EscalationRow, ...]
    history: tuple[HistoryEntry, ...]

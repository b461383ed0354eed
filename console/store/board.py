"""The console's read side: everything one screen shows, in a few bulk queries.

`Board.load` reads the whole picture once; `Board.changes` re-reads only what a batch
of feed events touched (one query per kind of row, never one per event or per row), so
a console on 50,000 open requests stays cheap to keep live.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from console.domain.coverage import Presence, Shift, ShiftKind
from console.store.board_queries import (
    escalation_query,
    escalation_row,
    open_handoffs,
    queue_query,
    queue_row,
)
from console.store.board_rows import (
    BoardChanges,
    BoardState,
    CallBack,
    EscalationRow,
    FollowUp,
    HistoryEntry,
    QueueRow,
    RequestDetail,
    Roster,
    WorkEntry,
)
from console.store.commands.quarantine import held_count
from console.store.db import Database
from console.store.models import (
    AgentPresence,
    BillingNotice,
    Contact,
    Customer,
    Escalation,
    Event,
    Request,
    Staff,
    WorkLog,
)
from console.store.models import Shift as ShiftRow
from console.store.models_paging import Page

#: Shifts further back than this cannot cover "now" or the gap horizon.
SHIFT_LOOKBEHIND = timedelta(days=2)
SHIFT_LOOKAHEAD = timedelta(days=15)
#: Follow-ups shown: overdue, due today, and due within this many days.
FOLLOWUP_LOOKAHEAD = timedelta(days=7)


Liaison = aliased(Staff)


def _chunks(ids: Iterable[int], size: int = 5000) -> Iterable[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class Board:
    """Reads for one console; each method opens and closes its own session."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- whole picture ------------------------------------------------------------------

    def load(self, now: datetime, today: date) -> BoardState:
        """Everything, at `now`; `today` is the desk-local date (for follow-ups)."""
        with self.database.reading() as session:
            requests = {r.id: r for r in map(queue_row, session.execute(queue_query()))}
            escalations = {
                e.id: e for e in map(escalation_row, session.execute(escalation_query()))
            }
            last = session.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one()
            return BoardState(
                requests=requests,
                escalations=escalations,
                roster=self._roster(session, now),
                followups=self._followups(session, today),
                staff_roles=self._roles(session),
                last_event_id=int(last),
                staff_departments=self._departments(session),
                designated=self._designated(session),
                staff_names=self._names(session),
                intake_held=held_count(session),
                customers=self._customers(session),
                handoffs=open_handoffs(session),
            )

    # -- what a batch touched -----------------------------------------------------------

    def changes(
        self,
        touched: Iterable[tuple[str, int]],
        now: datetime,
        today: date,
    ) -> BoardChanges:
        """Fresh copies of the rows `touched` names (entity, id), and what they affect."""
        by_kind: dict[str, set[int]] = {}
        for entity, entity_id in touched:
            by_kind.setdefault(entity, set()).add(entity_id)
        request_ids = set(by_kind.get("request", ()))
        escalation_ids = set(by_kind.get("escalation", ()))
        with self.database.reading() as session:
            # Work and notices change a request's billing state; escalations its status.
            for entity, table in (
                ("work_log", WorkLog),
                ("billing_notice", BillingNotice),
                ("page", Page),
            ):
                if ids := by_kind.get(entity):
                    request_ids |= set(
                        session.scalars(
                            # A handoff page is about no request.
                            select(table.request_id).where(
                                table.id.in_(ids), table.request_id.is_not(None)
                            )
                        )
                    )
            if escalation_ids:
                request_ids |= set(
                    session.scalars(
                        select(Escalation.request_id).where(Escalation.id.in_(escalation_ids))
                    )
                )
            if ids := by_kind.get("customer", set()) | self._customers_of_contacts(
                session, by_kind.get("contact", set())
            ):
                request_ids |= set(
                    session.scalars(
                        select(Request.id).where(
                            Request.customer_id.in_(ids), Request.status == "open"
                        )
                    )
                )
                escalation_ids |= set(
                    session.scalars(
                        select(Escalation.id)
                        .join(Request, Request.id == Escalation.request_id)
                        .where(Request.customer_id.in_(ids), Escalation.status == "open")
                    )
                )
            requests: dict[int, QueueRow] = {}
            for chunk in _chunks(request_ids):
                query = queue_query().where(Request.id.in_(chunk))
                requests.update((r.id, r) for r in map(queue_row, session.execute(query)))
            escalations: dict[int, EscalationRow] = {}
            for chunk in _chunks(escalation_ids):
                query = escalation_query().where(Escalation.id.in_(chunk))
                escalations.update((e.id, e) for e in map(escalation_row, session.execute(query)))
            people = bool(by_kind.keys() & {"shift", "agent_presence", "staff"})
            return BoardChanges(
                requests=requests,
                requests_gone=frozenset(request_ids - requests.keys()),
                escalations=escalations,
                escalations_gone=frozenset(escalation_ids - escalations.keys()),
                roster=self._roster(session, now) if people else None,
                followups=(
                    self._followups(session, today)
                    if by_kind.keys() & {"customer", "staff"}
                    else None
                ),
                staff_roles=self._roles(session) if "staff" in by_kind else None,
                staff_departments=self._departments(session) if "staff" in by_kind else None,
                staff_names=self._names(session) if "staff" in by_kind else None,
                designated=(
                    self._designated(session) if by_kind.keys() & {"customer", "contact"} else None
                ),
                # Quarantining writes no event: any batch brings the count up to date.
                intake_held=held_count(session),
                customers=self._customers(session) if "customer" in by_kind else None,
                handoffs=open_handoffs(session) if "page" in by_kind else None,
            )

    # -- one request in full ------------------------------------------------------------

    def detail(self, request_id: int) -> RequestDetail | None:
        """The request with its contact, work, notices, escalations and full history."""
        with self.database.reading() as session:
            request = session.get(Request, request_id)
            if request is None:
                return None
            found = list(session.execute(queue_query().where(Request.id == request_id)))
            contact = session.get(Contact, request.contact_id) if request.contact_id else None
            designated = session.scalars(
                select(Contact.name)
                .where(
                    Contact.customer_id == request.customer_id,
                    Contact.designated_for_emergencies.is_(True),
                )
                .order_by(Contact.name)
            )
            work = session.execute(
                select(Staff.handle, WorkLog.started_at, WorkLog.ended_at, WorkLog.note)
                .join(Staff, Staff.id == WorkLog.staff_id)
                .where(WorkLog.request_id == request_id)
                .order_by(WorkLog.started_at)
            )
            notices = session.execute(
                # A notice accepted on the portal has no staff member: it reads "portal".
                select(
                    BillingNotice.given_at,
                    BillingNotice.method,
                    func.coalesce(Staff.handle, BillingNotice.method),
                )
                .outerjoin(Staff, Staff.id == BillingNotice.given_by_id)
                .where(BillingNotice.request_id == request_id)
                .order_by(BillingNotice.given_at)
            )
            escalations = session.execute(
                escalation_query()
                .where(Escalation.request_id == request_id)
                .where(Escalation.status.in_(("open", "closed")))
                .order_by(Escalation.id)
            )
            related = [
                and_(Event.entity == "request", Event.entity_id == request_id),
                *(
                    and_(Event.entity == entity, Event.entity_id.in_(ids))
                    for entity, ids in (
                        (
                            "escalation",
                            select(Escalation.id).where(Escalation.request_id == request_id),
                        ),
                        ("work_log", select(WorkLog.id).where(WorkLog.request_id == request_id)),
                        (
                            "billing_notice",
                            select(BillingNotice.id).where(BillingNotice.request_id == request_id),
                        ),
                    )
                ),
            ]
            history = session.scalars(select(Event).where(or_(*related)).order_by(Event.id))
            return RequestDetail(
                row=queue_row(found[0]) if found else None,
                request_id=request_id,
                status=request.status,
                resolved_at=request.resolved_at,
                contact_phone=contact.phone if contact else None,
                contact_email=contact.email if contact else None,
                designated_contacts=tuple(designated),
                work=tuple(WorkEntry(*w) for w in work),
                notices=tuple(f"{m} by {h}" for _, m, h in notices),
                escalations=tuple(map(escalation_row, escalations)),
                history=tuple(
                    HistoryEntry(
                        e.id, e.at, e.actor, e.kind, e.entity, e.entity_id, e.before, e.after
                    )
                    for e in history
                ),
            )

    # -- parts --------------------------------------------------------------------------

    @staticmethod
    def _customers_of_contacts(session: Session, contact_ids: set[int]) -> set[int]:
        if not contact_ids:
            return set()
        return set(session.scalars(select(Contact.customer_id).where(Contact.id.in_(contact_ids))))

    @staticmethod
    def _roster(session: Session, now: datetime) -> Roster:
        rows = session.execute(
            select(Staff.handle, ShiftRow.starts_at, ShiftRow.ends_at, ShiftRow.kind)
            .join(Staff, Staff.id == ShiftRow.staff_id)
            .where(
                ShiftRow.ends_at > now - SHIFT_LOOKBEHIND,
                ShiftRow.starts_at < now + SHIFT_LOOKAHEAD,
                Staff.active.is_(True),
            )
        )
        shifts = tuple(Shift(h, s, e, ShiftKind(k)) for h, s, e, k in rows)
        presence = {
            handle: Presence(state)
            for handle, state in session.execute(
                select(Staff.handle, AgentPresence.state).join(
                    Staff, Staff.id == AgentPresence.staff_id
                )
            )
        }
        return Roster(shifts, presence)

    @staticmethod
    def _followups(session: Session, today: date) -> tuple[FollowUp, ...]:
        horizon = today + FOLLOWUP_LOOKAHEAD
        rows = session.execute(
            select(Customer.id, Customer.municipality, Liaison.handle, Customer.next_check_in)
            .outerjoin(Liaison, Liaison.id == Customer.liaison_id)
            .where(Customer.next_check_in.is_not(None), Customer.next_check_in <= horizon)
            .order_by(Customer.next_check_in, Customer.municipality)
        )
        return tuple(
            FollowUp(customer_id, customer, liaison, due)
            for customer_id, customer, liaison, due in rows
            if due is not None  # the query asks for these only
        )

    @staticmethod
    def _designated(session: Session) -> dict[str, tuple[CallBack, ...]]:
        rows = session.execute(
            select(Customer.municipality, Contact.name, Contact.phone)
            .join(Contact, Contact.customer_id == Customer.id)
            .where(Contact.designated_for_emergencies.is_(True))
            .order_by(Customer.municipality, Contact.name)
        )
        found: dict[str, list[CallBack]] = {}
        for customer, name, phone in rows:
            found.setdefault(customer, []).append(CallBack(name, phone))
        return {customer: tuple(people) for customer, people in found.items()}

    @staticmethod
    def _customers(session: Session) -> tuple[str, ...]:
        query = select(Customer.municipality).order_by(Customer.municipality)
        return tuple(session.scalars(query))

    @staticmethod
    def _departments(session: Session) -> dict[str, str]:
        query = select(Staff.handle, Staff.department).where(Staff.active.is_(True))
        return {handle: department for handle, department in session.execute(query)}

    @staticmethod
    def _names(session: Session) -> dict[str, str]:
        # Inactive staff too: someone who left may still be the last to have changed a row.
        query = select(Staff.handle, Staff.name)
        return {handle: name for handle, name in session.execute(query)}

    @staticmethod
    def _roles(session: Session) -> dict[str, str]:
        query = select(Staff.handle, Staff.role).where(Staff.active.is_(True))
        return {handle: role for handle, role in session.execute(query)}

"""The two bulk reads behind the console's grids: open requests as queue rows and
escalations as escalation rows (one query each, filtered by the caller), and how a
result row becomes a `QueueRow` or an `EscalationRow`. `console.store.board` runs them;
`open_handoffs` reads the few open shift handoff pages for the alert strip.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from console.store.board_rows import EscalationRow, HandoffRow, QueueRow
from console.store.models import Contact, Customer, Escalation, Request, Shift, Staff
from console.store.models_paging import Page

Assignee = aliased(Staff)


def queue_query() -> Select[*tuple[Any, ...]]:
    open_escalation = (
        select(Escalation.id)
        .where(Escalation.request_id == Request.id, Escalation.status == "open")
        .exists()
    )
    latest_page = (
        select(func.max(Page.id))
        .where(Page.request_id == Request.id, Page.kind == "emergency")
        .correlate(Request)
        .scalar_subquery()
    )
    return (
        select(
            Request.id,
            func.coalesce(Customer.municipality, "(unknown sender)"),
            Contact.name,
            func.coalesce(Contact.designated_for_emergencies, False),
            Request.channel,
            Request.summary,
            Request.received_at,
            Request.emergency,
            Request.emergency_unverified,
            Assignee.handle,
            Request.due_at,
            Request.first_response_at,
            Request.billing_state,
            open_escalation,
            Request.version,
            Page.state,
            Page.step,
            func.coalesce(Page.acked_at, Page.last_paged_at),
            Page.acked_by,
            Page.targets,
            Page.next_step_at,
            Request.status,
        )
        .outerjoin(Customer, Customer.id == Request.customer_id)
        .outerjoin(Contact, Contact.id == Request.contact_id)
        .outerjoin(Assignee, Assignee.id == Request.assignee_id)
        .outerjoin(Page, and_(Request.emergency.is_(True), Page.id == latest_page))
        .where(Request.status.in_(("open", "triage")))
    )


def escalation_query() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Escalation.id,
            Escalation.request_id,
            Customer.municipality,
            Escalation.destination,
            Assignee.handle,
            Escalation.reason,
            Escalation.technical_priority,
            Escalation.opened_at,
            Escalation.version,
        )
        .join(Request, Request.id == Escalation.request_id)
        .join(Customer, Customer.id == Request.customer_id)
        .outerjoin(Assignee, Assignee.id == Escalation.assignee_id)
        .where(Escalation.status == "open")
    )


def _page_by(acked_by: str | None, targets: dict[str, Any] | None) -> str | None:
    if acked_by:
        return acked_by
    handles = (targets or {}).get("handles") or []
    return str(handles[0]) if handles else None


def queue_row(row: tuple[Any, ...]) -> QueueRow:
    return QueueRow(
        id=row[0],
        customer=row[1],
        contact=row[2],
        contact_designated=bool(row[3]),
        channel=row[4],
        summary=row[5],
        received_at=row[6],
        emergency=bool(row[7]),
        emergency_unverified=bool(row[8]),
        assignee=row[9],
        due_at=row[10],
        first_response_at=row[11],
        billing_state=row[12],
        escalated=bool(row[13]),
        version=row[14],
        page_state=row[15],
        page_step=row[16] or 0,
        page_at=row[17],
        page_by=_page_by(row[18], row[19]),
        page_due=row[20],
        triage=row[21] == "triage",
    )


def escalation_row(row: tuple[Any, ...]) -> EscalationRow:
    return EscalationRow(*row)


def open_handoffs(session: Session) -> tuple[HandoffRow, ...]:
    """The shift handoff pages nobody has acknowledged yet, oldest first (a handful)."""
    rows = session.execute(
        select(Page.id, Page.opened_at, Page.targets, Staff.handle)
        .outerjoin(Shift, Shift.id == Page.shift_id)
        .outerjoin(Staff, Staff.id == Shift.staff_id)
        .where(Page.state == "open", Page.kind == "handoff")
        .order_by(Page.opened_at, Page.id)
    )
    return tuple(_handoff_row(*row) for row in rows)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _handoff_row(
    page_id: int, opened_at: Any, targets: dict[str, Any] | None, shift_staff: str | None
) -> HandoffRow:
    targets = targets or {}
    paged = tuple(str(h) for h in targets.get("handles") or [])
    summary = targets.get("handoff")
    if not isinstance(summary, dict):  # written before the summary was kept
        summary = {"outgoing": shift_staff, "incoming": paged[0] if paged else None}
    incoming = summary.get("incoming")
    return HandoffRow(
        page_id=page_id,
        opened_at=opened_at,
        outgoing=str(summary.get("outgoing") or shift_staff or "?"),
        incoming=str(incoming) if incoming else None,
        paged=paged,
        emergencies=_count(summary.get("emergencies")),
        notices=_count(summary.get("notices")),
        gaps=_count(summary.get("gaps")),
    )

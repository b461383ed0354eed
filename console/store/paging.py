"""Paging inside the write path: opening a page with its messages, in the caller's transaction.

Why: a page must be a consequence of the event that causes it (a new emergency, its
assignment, an escalation step come due), so the functions here never commit: a store
command calls them and commits the request, the page, its event and its outbox rows
together, or nothing. The pager only sends what they queued (`console.outbox`).

What: `reach_at` reads who could be paged at an instant (`console.domain.paging.Reach`);
`open_emergency_page`, `page_new_assignee`, `close_pages` and `send_step` write a page's
rows and its `page.*` event; the text comes from `console.domain.paging`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.coverage import Shift as CoverShift
from console.domain.coverage import ShiftKind, next_on_call, on_call_at
from console.domain.paging import EmergencyFacts, Reach, first_targets, page_text
from console.domain.policy import Policy
from console.store import audit, outbox, portal_tokens
from console.store.enums import Role
from console.store.models import Contact, Customer, Request, Shift, Staff
from console.store.models_paging import Page, StaffContact

#: The actor of the events the pager writes (a service login named `pager` on Postgres).
PAGER = "pager"
#: How far ahead the next on-call person is looked for.
LOOK_AHEAD = timedelta(days=7)


def shifts_around(
    session: Session, now: datetime, ahead: timedelta = LOOK_AHEAD
) -> list[CoverShift]:
    rows = session.execute(
        select(Shift, Staff.handle)
        .join(Staff, Staff.id == Shift.staff_id)
        .where(Shift.ends_at > now - timedelta(days=1), Shift.starts_at < now + ahead)
    ).all()
    return [CoverShift(h, s.starts_at, s.ends_at, ShiftKind(s.kind)) for s, h in rows]


def reach_at(session: Session, now: datetime, policy: Policy, assignee: str | None) -> Reach:
    """Who could be paged at `now`."""
    shifts = shifts_around(session, now)
    staff = {
        handle: (role, department)
        for handle, role, department in session.execute(
            select(Staff.handle, Staff.role, Staff.department).where(Staff.active)
        )
    }
    on_duty = sorted(
        s.staff
        for s in shifts
        if s.kind is ShiftKind.DUTY
        and s.covers(now)
        and staff.get(s.staff, ("",))[0] in (Role.LEAD.value, Role.DISPATCHER.value)
    )
    nxt = next_on_call(shifts, now)
    return Reach(
        desk_open=policy.calendar.is_open(now),
        assignee=assignee,
        on_call_now=tuple(c.staff for c in on_call_at(shifts, now) if c.staff in staff),
        on_call_next=nxt.staff if nxt and nxt.staff in staff else None,
        on_duty_leads=tuple(dict.fromkeys(on_duty)),
        desk_leads=tuple(
            sorted(h for h, (r, d) in staff.items() if r == Role.LEAD.value and d == "desk")
        ),
    )


def emergency_facts(session: Session, row: Request, policy: Policy) -> EmergencyFacts:
    customer = session.scalar(select(Customer.municipality).where(Customer.id == row.customer_id))
    designated = session.execute(
        select(Contact.name, Contact.phone)
        .where(Contact.customer_id == row.customer_id, Contact.designated_for_emergencies)
        .order_by(Contact.name)
    ).all()
    raised_by = (
        session.scalar(select(Contact.name).where(Contact.id == row.contact_id))
        if row.contact_id
        else None
    )
    local = row.received_at.astimezone(policy.calendar.zone).strftime("%a %Y-%m-%d %H:%M %Z")
    return EmergencyFacts(
        request_id=row.id,
        customer=customer or f"customer {row.customer_id}",
        summary=row.summary,
        verified=not row.emergency_unverified,
        designated=tuple((n, p) for n, p in designated),
        received_local=local,
        raised_by=raised_by,
    )


def ack_command(page: Page, handle: str) -> str:
    if page.kind == "emergency":
        return f"switchboard page ack {page.request_id} --as {handle}"
    return f"switchboard page ack --page {page.id} --as {handle}"


def enqueue_to(
    session: Session,
    now: datetime,
    page: Page,
    handles: Sequence[str],
    text_for: Any,
) -> list[str]:
    """Queue the page's message to each of `handles` by every way they are reached.

    `text_for(handle)` gives (subject, body). Returns the handles with no way to reach them.
    """
    contacts = {
        handle: contact
        for handle, contact in session.execute(
            select(Staff.handle, StaffContact)
            .join(StaffContact, StaffContact.staff_id == Staff.id)
            .where(Staff.handle.in_(list(handles)))
        )
    }
    unreachable = []
    purpose = "page" if page.kind == "emergency" else "handoff"
    for handle in handles:
        contact = contacts.get(handle)
        urls = list((contact.notify or {}).get("urls", [])) if contact else []
        if contact is None or (not contact.email and not urls):
            unreachable.append(handle)
            continue
        subject, body = text_for(handle)
        common = {
            "label": handle,
            "purpose": purpose,
            "subject": subject,
            "body": body,
            "request_id": page.request_id,
            "page_id": page.id,
        }
        tags = {"X-Switchboard-Page": str(page.id), "X-Switchboard-Step": str(page.step)}
        if contact.email:
            ack_line = portal_tokens.page_ack_line(session, now, page, handle)
            headers = tags | {
                "Message-ID": f"<page-{page.id}-{page.step}-{uuid.uuid4().hex[:12]}@switchboard>",
                "Auto-Submitted": "auto-generated",
            }
            outbox.enqueue(
                session,
                now,
                channel="email",
                recipient=contact.email,
                headers=headers,
                **(common | {"body": f"{body}\n{ack_line}\n"}),
            )
        for url in urls:
            outbox.enqueue(session, now, channel="apprise", recipient=url, headers=tags, **common)
    return unreachable


def send_step(
    session: Session, now: datetime, policy: Policy, page: Page, handles: Sequence[str]
) -> list[str]:
    """Queue step `page.step` of an emergency page to `handles`; returns the unreachable."""
    row = session.get(Request, page.request_id)
    assert row is not None
    facts = emergency_facts(session, row, policy)

    def text_for(handle: str) -> tuple[str, str]:
        return page_text(facts, page.step, ack_command(page, handle))

    return enqueue_to(session, now, page, handles, text_for)


def _record(
    session: Session,
    by: str,
    now: datetime,
    kind: str,
    page: Page,
    before: Any,
    on_behalf_of: str | None = None,
) -> None:
    session.flush()
    audit.record(
        session,
        actor=by,
        at=now,
        kind=kind,
        entity="page",
        entity_id=page.id,
        before=before,
        after=audit.snapshot(page),
        on_behalf_of=on_behalf_of,
    )


def new_page(
    session: Session,
    now: datetime,
    policy: Policy,
    handles: tuple[str, ...],
    *,
    kind: str,
    request_id: int | None = None,
    shift_id: int | None = None,
) -> Page:
    """An open page at step 0 to `handles`, its next step due after the policy's timeout
    (flushed: it has its id)."""
    page = Page(
        kind=kind,
        request_id=request_id,
        shift_id=shift_id,
        state="open",
        step=0,
        targets={"handles": list(handles)},
        opened_at=now,
        last_paged_at=now,
        next_step_at=policy.paging.next_due(now),
    )
    session.add(page)
    session.flush()
    return page


def open_emergency_page(
    session: Session, by: str, now: datetime, policy: Policy, row: Request, assignee: str | None
) -> Page:
    """A new emergency's page: step 0 to its first targets, queued with the request."""
    reach = reach_at(session, now, policy, assignee)
    handles = first_targets(reach)
    page = new_page(session, now, policy, handles, kind="emergency", request_id=row.id)
    unreachable = send_step(session, now, policy, page, handles)
    page.targets = {"handles": list(handles), "unreachable": unreachable}
    _record(session, by, now, "page.opened", page, None)
    return page


def open_page_of(session: Session, request_id: int, *, lock: bool = False) -> Page | None:
    query = select(Page).where(
        Page.request_id == request_id, Page.kind == "emergency", Page.state == "open"
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalars(query.order_by(Page.id.desc())).first()


def page_new_assignee(
    session: Session, by: str, now: datetime, policy: Policy, row: Request, assignee: str
) -> Page | None:
    """An emergency given to `assignee`: page them now and restart the ack timeout.

    An acknowledged (or closed) emergency sends nothing more: its page stays as it was."""
    page = open_page_of(session, row.id, lock=True)
    if page is None:
        if session.scalar(select(Page.id).where(Page.request_id == row.id)) is not None:
            return None
        return open_emergency_page(session, by, now, policy, row, assignee)
    before = audit.snapshot(page)
    page.targets = {"handles": [assignee]}
    page.last_paged_at = now
    page.next_step_at = policy.paging.next_due(now)
    session.flush()
    unreachable = send_step(session, now, policy, page, [assignee])
    page.targets = {"handles": [assignee], "unreachable": unreachable}
    _record(session, by, now, "page.reassigned", page, before)
    return page


def close_pages(session: Session, by: str, now: datetime, request_id: int, why: str) -> None:
    """Stop paging about a request that is resolved or no longer an emergency."""
    page = open_page_of(session, request_id, lock=True)
    if page is None:
        return
    before = audit.snapshot(page)
    page.state, page.next_step_at = "closed", None
    outbox.cancel_for_page(session, page.id)
    _record(session, by, now, f"page.closed-{why}", page, before)


def record_page_event(
    session: Session,
    by: str,
    now: datetime,
    kind: str,
    page: Page,
    before: Any,
    on_behalf_of: str | None = None,
) -> None:
    """The `page.*` event of a change to `page` made by a command of `commands.paging`."""
    _record(session, by, now, kind, page, before, on_behalf_of)

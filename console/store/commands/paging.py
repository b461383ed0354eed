"""Commands of paging: how staff are reached, acknowledging a page, the pager's steps.

`set_staff_contact` says where a staff member's pages go. `ack_page` is the one way a page
stops: an event, the page `acked`, and its queued messages cancelled in the same
transaction, so nothing more is sent about it (a message already in a sender's hands may
still leave). `escalate_due` and `handoffs_due` are what the pager writes (actor `pager`):
each due escalation step or ended on-call shift becomes a page row, its event and its
outbox rows in one transaction. On Postgres due pages and shifts are taken with `FOR
UPDATE SKIP LOCKED` and ended shifts under an advisory lock each, so two pagers never
escalate the same page twice or write two handoffs for one shift (which `pages.shift_id`,
unique, also refuses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from console.domain.coverage import ShiftKind, on_call_at, on_call_gaps
from console.domain.paging import Handoff, handoff_text, step_targets
from console.domain.policy import Policy
from console.store import audit, outbox
from console.store.commands.base import actor, clean_text, command, staff_named
from console.store.enums import BillingState, RequestStatus, Role
from console.store.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from console.store.models import Customer, Request, Shift, Staff
from console.store.models_paging import Page, StaffContact
from console.store.paging import (
    PAGER,
    ack_command,
    enqueue_to,
    new_page,
    reach_at,
    record_page_event,
    send_step,
    shifts_around,
)
from console.store.policy import current_policy

EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
#: scheme://... of an Apprise URL (the CLI checks it further with Apprise itself).
NOTIFY_URL = re.compile(r"[a-z][a-z0-9+.-]{0,30}://\S{1,1000}")
MAX_URLS = 10
#: A handoff is written for an on-call shift that ended at most this long ago.
HANDOFF_LOOKBACK = timedelta(hours=12)
#: The advisory lock space of handoffs (Postgres), keyed by shift id.
HANDOFF_LOCK = 16


@dataclass(frozen=True)
class ContactView:
    staff: str
    email: str | None
    #: The schemes only (`json`, `ntfy`): the URLs may hold tokens.
    notify: tuple[str, ...]


@command
def set_staff_contact(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    handle: str,
    email: str | None,
    notify: list[str],
) -> ContactView:
    """Set how `handle` is paged (their own, or anyone's as a lead); replaces the old."""
    by = actor(session, actor_handle, Role.AGENT, "setting how staff are reached")
    who = staff_named(session, handle)
    if who.id != by.id and Role(by.role) is not Role.LEAD:
        raise PermissionDenied(f"{by.handle} may set only their own contact; a lead sets others'")
    address = clean_text(email, "e-mail address", "email", required=False)
    if address is not None and not EMAIL.fullmatch(address):
        raise InvalidInput(f"{address[:60]!r} is not an e-mail address")
    if len(notify) > MAX_URLS:
        raise InvalidInput(f"at most {MAX_URLS} --notify URLs")
    for url in notify:
        if not NOTIFY_URL.fullmatch(url):
            raise InvalidInput(f"--notify {url.split('://')[0][:30]!r}...: not an Apprise URL")
    if address is None and not notify:
        raise InvalidInput("give --email ADDR, --notify URL, or both")
    row = session.get(StaffContact, who.id)
    before = None if row is None else _contact_event(row)
    if row is None:
        row = StaffContact(staff_id=who.id, notify={}, updated_at=now)
        session.add(row)
    row.email, row.notify, row.updated_at = address, {"urls": list(notify)}, now
    session.flush()
    audit.record(
        session,
        actor=by.handle,
        at=now,
        kind="staff.contact-set",
        entity="staff_contact",
        entity_id=who.id,
        before=before,
        after=_contact_event(row),
    )
    return ContactView(who.handle, address, tuple(u.split("://")[0] for u in notify))


def _contact_event(row: StaffContact) -> dict[str, Any]:
    # The audit history keeps the address and how many URLs, not their tokens.
    urls = (row.notify or {}).get("urls", [])
    return {"email": row.email, "notify": [u.split("://")[0] + "://…" for u in urls]}


@dataclass(frozen=True)
class AckView:
    page_id: int
    kind: str
    request_id: int | None
    acked_by: str
    acked_at: datetime
    cancelled: int


@command
def ack_page(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    request_id: int | None = None,
    page_id: int | None = None,
    service: str | None = None,
) -> AckView:
    """Acknowledge the open page of a request (or page `page_id`): the escalation stops.
    `service`: a service (intake, for a reply "ack" to the page's mail) acts for the
    staff member, its event naming the service and `on_behalf_of` them."""
    by = actor(session, actor_handle, Role.AGENT, "acknowledging pages")
    query = select(Page)
    if page_id is not None:
        query = query.where(Page.id == page_id)
        what = f"page {page_id}"
        asked = page_id
    elif request_id is not None:
        query = query.where(Page.request_id == request_id).order_by(Page.id.desc())
        what = f"request {request_id}"
        asked = request_id
    else:
        raise InvalidInput("say which page: a request number or --page ID")
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    page = session.scalars(query.limit(1)).first() if 0 < asked < 2**31 else None
    if page is None:
        raise NotFound(f"no page about {what}")
    if page.state == "acked":
        assert page.acked_at is not None  # an acknowledged page has its time
        raise InvalidState(
            f"{what} was acknowledged by {page.acked_by} at {page.acked_at.isoformat()}"
        )
    if page.state != "open":
        raise InvalidState(f"{what}: its page is {page.state}; nothing to acknowledge")
    before = audit.snapshot(page)
    page.state, page.acked_by, page.acked_at, page.next_step_at = "acked", by.handle, now, None
    cancelled = outbox.cancel_for_page(session, page.id)
    if service is None:
        record_page_event(session, by.handle, now, "page.acked", page, before)
    else:
        behalf = f"staff:{by.handle}"
        record_page_event(session, service, now, "page.acked", page, before, behalf)
    return AckView(page.id, page.kind, page.request_id, by.handle, now, cancelled)


def _due_pages(session: Session, now: datetime, limit: int) -> list[Page]:
    query = (
        select(Page)
        .where(Page.state == "open", Page.next_step_at <= now)
        .order_by(Page.next_step_at, Page.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


@command
def escalate_due(session: Session, now: datetime, *, limit: int = 50) -> list[int]:
    """Take every escalation step due at `now` (the pager); returns the pages escalated."""
    policy = current_policy(session).policy
    done = []
    for page in _due_pages(session, now, limit):
        before = audit.snapshot(page)
        previous = list((page.targets or {}).get("handles", []))
        assignee = None
        if page.request_id is not None:
            row = session.get(Request, page.request_id)
            if row is None or row.status != RequestStatus.OPEN.value or not row.emergency:
                page.state, page.next_step_at = "closed", None
                record_page_event(session, PAGER, now, "page.closed-stale", page, before)
                continue
            assignee = session.scalar(select(Staff.handle).where(Staff.id == row.assignee_id))
        page.step += 1
        kind = policy.paging.step_kind(page.step)
        handles = step_targets(kind, reach_at(session, now, policy, assignee), previous)
        page.last_paged_at = now
        page.next_step_at = policy.paging.next_due(now)
        session.flush()
        summary: dict[str, Any] = {}
        if page.kind == "emergency":
            unreachable = send_step(session, now, policy, page, handles)
        else:
            unreachable, summary = _send_handoff(session, now, policy, page, handles, None)
        page.targets = {
            "handles": list(handles),
            "unreachable": unreachable,
            "step": kind,
            **summary,
        }
        record_page_event(session, PAGER, now, "page.escalated", page, before)
        done.append(page.id)
    return done


def _ended_shifts(session: Session, now: datetime) -> list[tuple[Shift, str]]:
    query = (
        select(Shift, Staff.handle)
        .join(Staff, Staff.id == Shift.staff_id)
        .outerjoin(Page, Page.shift_id == Shift.id)
        .where(
            Shift.kind == ShiftKind.ON_CALL.value,
            Shift.ends_at <= now,
            Shift.ends_at > now - HANDOFF_LOOKBACK,
            Page.id.is_(None),
        )
        .order_by(Shift.ends_at)
    )
    found = [(shift, handle) for shift, handle in session.execute(query)]
    if session.get_bind().dialect.name != "postgresql":
        return found
    # One pager per shift: a transaction-scoped advisory lock (no privilege on `shifts`
    # needed, unlike FOR UPDATE), then a second look, now that the lock holder committed.
    mine = [
        (shift, handle)
        for shift, handle in found
        if session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:k, :id)"), {"k": HANDOFF_LOCK, "id": shift.id}
        )
    ]
    taken = set(
        session.scalars(select(Page.shift_id).where(Page.shift_id.in_([s.id for s, _ in mine])))
    )
    return [(shift, handle) for shift, handle in mine if shift.id not in taken]


@command
def handoffs_due(session: Session, now: datetime) -> list[int]:
    """A handoff page for each on-call shift that has ended (the pager); returns page ids."""
    policy = current_policy(session).policy
    done = []
    for shift, outgoing in _ended_shifts(session, now):
        shifts = shifts_around(session, shift.ends_at)
        incoming = [c.staff for c in on_call_at(shifts, shift.ends_at) if c.staff != outgoing]
        reach = reach_at(session, now, policy, None)
        handles = tuple(incoming[:1]) or reach.desk_leads
        page = new_page(session, now, policy, tuple(handles), kind="handoff", shift_id=shift.id)
        who = incoming[0] if incoming else None
        unreachable, summary = _send_handoff(session, now, policy, page, handles, (outgoing, who))
        page.targets = {"handles": list(handles), "unreachable": unreachable, **summary}
        record_page_event(session, PAGER, now, "page.handoff", page, None)
        done.append(page.id)
    return done


def _send_handoff(
    session: Session,
    now: datetime,
    policy: Policy,
    page: Page,
    handles: tuple[str, ...] | list[str],
    people: tuple[str, str | None] | None,
) -> tuple[list[str], dict[str, Any]]:
    """Queue the handoff's messages; returns who could not be reached and the handoff's
    summary for `pages.targets` (the console's alert strip shows it)."""
    if people is None:
        shift = session.get(Shift, page.shift_id)
        out = (
            session.scalar(select(Staff.handle).where(Staff.id == shift.staff_id)) if shift else "?"
        )
        people = (out or "?", handles[0] if handles else None)
    zone = policy.calendar.zone
    open_rows = session.execute(
        select(
            Request.id,
            Customer.municipality,
            Request.summary,
            Request.emergency,
            Request.billing_state,
        )
        .join(Customer, Customer.id == Request.customer_id)
        .where(Request.status == RequestStatus.OPEN.value)
        .order_by(Request.id)
    ).all()
    gaps = on_call_gaps(policy.calendar, shifts_around(session, now), now, timedelta(hours=24))

    def local(at: datetime) -> str:
        return at.astimezone(zone).strftime("%a %H:%M")

    handoff = Handoff(
        outgoing=people[0],
        incoming=people[1],
        emergencies=tuple((i, c, s) for i, c, s, e, _ in open_rows if e),
        billing=tuple(
            (i, c) for i, c, _, _, b in open_rows if b == BillingState.NEEDS_NOTICE.value
        ),
        gaps=tuple((local(g.start), local(g.end)) for g in gaps),
    )

    def text_for(handle: str) -> tuple[str, str]:
        return handoff_text(handoff, ack_command(page, handle))

    summary = {
        "handoff": {
            "outgoing": handoff.outgoing,
            "incoming": handoff.incoming,
            "emergencies": len(handoff.emergencies),
            "notices": len(handoff.billing),
            "gaps": len(handoff.gaps),
        }
    }
    return enqueue_to(session, now, page, handles, text_for), summary


__all__ = [
    "AckView",
    "ContactView",
    "ack_page",
    "escalate_due",
    "handoffs_due",
    "set_staff_contact",
]

"""Reading pages for people: every message of every page with its state (`page list`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.store.models import Customer, Request
from console.store.models_paging import Outbox, Page


@dataclass(frozen=True)
class PageLine:
    """One message of a page, with its page's acknowledgement."""

    page_id: int
    kind: str
    request_id: int | None
    customer: str | None
    step: int
    to: str
    channel: str
    #: queued, sending, sent, failed, cancelled.
    state: str
    attempts: int
    queued_at: datetime
    sent_at: datetime | None
    last_error: str | None
    #: open, acked, closed: the page's own state.
    page_state: str
    acked_by: str | None
    acked_at: datetime | None
    outbox_id: int | None


def page_lines(session: Session, limit: int = 500) -> list[PageLine]:
    """The newest `limit` messages of pages, oldest first; a page that reached nobody
    shows as one line with channel `none`."""
    rows = session.execute(
        select(Page, Outbox, Customer.municipality)
        .outerjoin(Outbox, Outbox.page_id == Page.id)
        .outerjoin(Request, Request.id == Page.request_id)
        .outerjoin(Customer, Customer.id == Request.customer_id)
        .order_by(Page.id.desc(), Outbox.id.desc())
        .limit(limit)
    ).all()
    lines = []
    for page, message, customer in reversed(rows):
        lines.append(
            PageLine(
                page_id=page.id,
                kind=page.kind,
                request_id=page.request_id,
                customer=customer,
                step=_step_of(message, page),
                to=message.label if message else ",".join(page.targets.get("handles", [])),
                channel=message.channel if message else "none",
                state=message.state if message else "unreachable",
                attempts=message.attempts if message else 0,
                queued_at=message.created_at if message else page.opened_at,
                sent_at=message.sent_at if message else None,
                last_error=message.last_error if message else None,
                page_state=page.state,
                acked_by=page.acked_by,
                acked_at=page.acked_at,
                outbox_id=message.id if message else None,
            )
        )
    return lines


def _step_of(message: Outbox | None, page: Page) -> int:
    if message is None:
        return page.step
    tag = (message.headers or {}).get("X-Switchboard-Step")
    return int(tag) if tag is not None else page.step

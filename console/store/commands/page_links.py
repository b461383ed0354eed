"""Acknowledging a page by the single-use link in its mail (issue 16): the portal acts for
the paged staff member, the event naming the portal's service `on_behalf_of` them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from console.store import portal_tokens
from console.store.commands.base import command
from console.store.commands.paging import AckView, ack_page
from console.store.errors import NotFound


@command
def ack_by_link(session: Session, service: str, now: datetime, *, token_hash: str) -> AckView:
    """Spend the link and acknowledge its page, in one transaction (both or neither).
    An unknown, used or expired link is `NotFound`; a page no longer open, `InvalidState`."""
    link = portal_tokens.spend_page_link(session, token_hash, now)
    if link is None:
        raise NotFound("no such acknowledgement link")
    return ack_page.__wrapped__(session, link.staff, now, page_id=link.page_id, service=service)

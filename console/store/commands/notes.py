"""An internal note on a request (issue 18): what an agent wants the desk to know.

A note changes no row: it is one event on the request (`request.noted`, the text in its
`after`), appended like every other change and never edited, so it reads in the
request's history beside what happened, in order. Customers never see it (a reply to the
customer is `portal.desk_reply`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from console.store import audit
from console.store.commands.base import actor, clean_text, command
from console.store.commands.requests import load_request
from console.store.enums import Role

NOTED = "request.noted"


@dataclass(frozen=True)
class NoteView:
    event_id: int
    request_id: int
    by: str
    at: datetime
    text: str


@command
def add_note(
    session: Session, actor_handle: str, now: datetime, *, request_id: int, text: str
) -> NoteView:
    """Add an internal note to a request, open or resolved (any desk role)."""
    by = actor(session, actor_handle, Role.AGENT, "adding notes")
    row = load_request(session, request_id)
    note = clean_text(text, "note", "note", multiline=True) or ""
    event = audit.record(
        session,
        actor=by.handle,
        at=now,
        kind=NOTED,
        entity="request",
        entity_id=row.id,
        before=None,
        after={"note": note},
    )
    return NoteView(event, row.id, by.handle, now, note)

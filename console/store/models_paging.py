"""The tables of paging and of every message the desk sends: contacts, pages, the outbox.

`staff_contacts` says how a staff member is reached (an e-mail address, Apprise URLs).
`pages` is one row per thing someone must acknowledge: an emergency, or a shift handoff;
it holds the escalation's state (the step reached, when the next is due, who acknowledged).
`outbox` holds each message to send, written in the transaction of the event that caused
it and sent by `switchboard pager` (`console.outbox`); mail replies and password resets
use it too. Instants are UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import Base


class StaffContact(Base):
    __tablename__ = "staff_contacts"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    #: Apprise URLs (they may hold tokens: never printed whole).
    notify: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (
        CheckConstraint("kind IN ('emergency', 'handoff')", name="kind"),
        CheckConstraint("state IN ('open', 'acked', 'closed')", name="state"),
        Index("ix_pages_open_by_due", "state", "next_step_at"),
        Index("ix_pages_request", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    #: A handoff's ending on-call shift: one handoff per shift, whatever pagers race.
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id"), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="open")
    #: 0: the first page; n: the n-th escalation step.
    step: Mapped[int] = mapped_column(Integer, default=0)
    #: Handles paged at the current step: {"handles": [...]}.
    targets: Mapped[dict[str, Any]]
    opened_at: Mapped[datetime]
    last_paged_at: Mapped[datetime]
    next_step_at: Mapped[datetime | None]
    acked_at: Mapped[datetime | None]
    acked_by: Mapped[str | None] = mapped_column(String(32))


class Outbox(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'apprise')", name="channel"),
        CheckConstraint(
            "state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')", name="state"
        ),
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_page", "page_id"),
        # Mail out: at most one acknowledgement per address and hour (issue 15).
        Index("ix_outbox_purpose_recipient", "purpose", "recipient", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(Text)
    #: Who the recipient is, for people (a handle, `contact:17`): never a secret URL.
    label: Mapped[str] = mapped_column(String(64))
    #: Why it is sent: `page`, `handoff`, `ack-reply`, `password-reset`, ...
    purpose: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    #: Extra e-mail headers (Message-ID, In-Reply-To, Auto-Submitted, ...).
    headers: Mapped[dict[str, Any]]
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

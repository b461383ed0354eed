"""The customer portal's tables (issue 17): accounts, their passwords, sign-in sessions,
failed sign-ins, and the messages of a request (what the contact wrote, the desk's replies).

`portal_accounts` and `request_messages` are audited like every desk table (an event per
change). `portal_passwords`, `portal_sessions` and `portal_sign_in_failures` are machinery:
secrets and throttling state that must never be copied into the readable audit history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import Base


class PortalAccount(Base):
    """A contact's sign-in to the portal, approved by a lead; `email` is lower-case."""

    __tablename__ = "portal_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(32))
    disabled_at: Mapped[datetime | None]


class PortalPassword(Base):
    """An account's argon2 hash (machinery: never in an event, unreadable by desk logins)."""

    __tablename__ = "portal_passwords"

    account_id: Mapped[int] = mapped_column(ForeignKey("portal_accounts.id"), primary_key=True)
    hash: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime]


class PortalSession(Base):
    """A signed-in browser: the cookie holds a random token, the row only its SHA-256."""

    __tablename__ = "portal_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("portal_accounts.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    seen_at: Mapped[datetime]


class PortalSignInFailure(Base):
    """One failed sign-in, counted per user name and per address for throttling."""

    __tablename__ = "portal_sign_in_failures"
    __table_args__ = (
        Index("ix_portal_sign_in_failures_username", "username", "at"),
        Index("ix_portal_sign_in_failures_address", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class RequestMessage(Base):
    """A message on a request: from the contact (portal) or a reply from the desk."""

    __tablename__ = "request_messages"
    __table_args__ = (
        CheckConstraint("author IN ('contact', 'desk')", name="author"),
        Index("ix_request_messages_request", "request_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    author: Mapped[str] = mapped_column(String(10))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class PortalToken(Base):
    """A single-use link mailed by the portal (issue 17: password reset, invitation; issue 16:
    acknowledge a page). Machinery: only the SHA-256 of the link's random token is kept."""

    __tablename__ = "portal_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('reset', 'invite', 'page-ack')", name="purpose"),
        Index("ix_portal_tokens_account", "account_id", "purpose", "created_at"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_accounts.id"))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    #: The paged staff member's handle (page-ack).
    staff: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

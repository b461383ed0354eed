"""The tables of mail intake (issue 15): messages received, their attachments, the
quarantine, and the mail domains customers own.

A received message is one row of `mail_messages`, keyed by `message_key` (its Message-ID,
or `sha256:` over its headers and body when it has none): the unique key is what makes a
second delivery a duplicate, whichever process or route it came by. Attachments are kept
in the database, beside their message and in its transaction (see docs/mail.md
section for why), with their SHA-256; one over the size limit keeps its name, size and
hash but not its bytes. A message that cannot be read is kept whole in `mail_quarantine`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import Base


class MailDomain(Base):
    """A mail domain a customer owns: an unknown colleague at a known town is matched to it."""

    __tablename__ = "mail_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    added_at: Mapped[datetime]


class MailMessage(Base):
    """One message received (by the MTA pipe or IMAP), and what intake made of it."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        CheckConstraint("outcome IN ('new', 'reply', 'ignored')", name="outcome"),
        CheckConstraint("channel IN ('email', 'voicemail')", name="channel"),
        Index("ix_mail_messages_request", "request_id", "received_at"),
        Index("ix_mail_messages_thread_index", "thread_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Message-ID in angle brackets, or `sha256:<hex>` when the message has none.
    message_key: Mapped[str] = mapped_column(String(1000), unique=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    #: Why, in one line: "new request (triage: unknown sender)", "auto-reply: ...".
    reason: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    sender: Mapped[str] = mapped_column(String(320))
    sender_name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    #: When our side received it (topmost Received header, IMAP INTERNALDATE, or the
    #: moment it was piped); for a voicemail, when the message was left.
    received_at: Mapped[datetime]
    in_reply_to: Mapped[str | None] = mapped_column(String(1000))
    #: Outlook's Thread-Index conversation part (hex), for threading.
    thread_index: Mapped[str | None] = mapped_column(String(64))
    #: `pipe` or `imap`.
    via: Mapped[str] = mapped_column(String(10))
    ingested_at: Mapped[datetime]


class MailAttachment(Base):
    """An attachment of a received message (a voicemail's recording too)."""

    __tablename__ = "mail_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("mail_messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    #: The bytes; None when refused for its size (name, size and hash are kept).
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    refused: Mapped[bool] = mapped_column(Boolean, default=False)


class MailQuarantine(Base):
    """A message that could not be taken in, kept whole until `intake retry` lands it."""

    __tablename__ = "mail_quarantine"
    __table_args__ = (
        CheckConstraint("status IN ('held', 'released')", name="status"),
        Index("ix_mail_quarantine_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the bytes: the same unreadable bytes delivered again are held once.
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    via: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="held")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    released_at: Mapped[datetime | None]
    #: What the retry that released it answered, e.g. "new request 12".
    outcome: Mapped[str | None] = mapped_column(Text)


class ImapFolderState(Base):
    """Where the IMAP fetcher is in one folder: its UIDVALIDITY and the last UID filed.

    Pure machinery (not audited, no events): losing a row re-reads the folder, and every
    message read again is a `duplicate` by its key, never a second request.
    """

    __tablename__ = "imap_folders"

    #: "user@host:port/folder": one mailbox folder.
    folder: Mapped[str] = mapped_column(String(500), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]

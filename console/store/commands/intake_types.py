"""What mail intake's commands take and answer: plain data, no rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from console.domain.sla import Channel


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes = field(repr=False)
    refused: bool = False


@dataclass(frozen=True)
class MailIn:
    """A message as intake files it (made from the parser's `Incoming` by `console.mail`)."""

    message_key: str
    sender: str
    sender_name: str
    subject: str
    body: str
    received_at: datetime
    channel: str = Channel.EMAIL.value
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    thread_index: str | None = None
    subject_token: int | None = None
    #: Why a machine wrote it, or None for a person's mail.
    auto: str | None = None
    #: A voicemail's caller number (digits) and what the request's summary says.
    caller_digits: str | None = None
    summary: str | None = None
    attachments: tuple[AttachmentIn, ...] = ()
    via: str = "pipe"


@dataclass(frozen=True)
class IntakeResult:
    outcome: str  # new | reply | duplicate | ignored | quarantined
    request: int | None
    reason: str
    quarantine: int | None = None

"""What the desk's outgoing mail says, as pure code (no I/O, the instants passed in).

Why here: the subject token, the acknowledgement's wording and the "ack" test of a
reply to a page are policy that intake (`console/mail/parsing`) must recognise again
when the mail comes back, so they live in one place with their tests.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

#: At most one acknowledgement to one address within this long.
ACK_INTERVAL = timedelta(hours=1)

_TOKEN = re.compile(r"\[SB#\d{1,12}\]", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd)\s*:\s*)+", re.IGNORECASE)
_ACK = re.compile(r"\s*ack\b", re.IGNORECASE)


def token(request_id: int) -> str:
    """The subject token intake threads by (`console.mail.parsing.message.SUBJECT_TOKEN`)."""
    return f"[SB#{request_id}]"


def reply_subject(request_id: int, subject: str) -> str:
    """`Re: <subject> [SB#N]`: the customer's subject (or the summary) with one token."""
    bare = _TOKEN.sub("", _REPLY_PREFIX.sub("", subject)).strip() or "your request"
    return f"Re: {' '.join(bare.split())[:150]} {token(request_id)}"


def ack_subject(request_id: int, summary: str) -> str:
    short = " ".join(summary.split())[:120]
    return f"{token(request_id)} Received: {short}"


def ack_body(
    request_id: int, summary: str, due_at: datetime | None, zone: ZoneInfo, desk: str = ""
) -> str:
    """The acknowledgement's text: the request number and when they will hear back."""
    if due_at is not None:
        local = due_at.astimezone(zone)
        when = f"You will hear from us by {local:%A %d %B %Y, %H:%M} ({local.tzname()})."
    else:
        when = "We will answer as soon as the desk is open."
    lines = [
        "Hello,",
        "",
        f"we received your request and filed it as number {request_id}:",
        f"  {' '.join(summary.split())[:200]}",
        "",
        when,
        f"To add to it, reply to this message and keep {token(request_id)} in the subject.",
        "",
        "This is an automatic message.",
    ]
    if desk:
        lines += ["", desk]
    return "\n".join(lines) + "\n"


def notice_subject(request_id: int) -> str:
    return f"{token(request_id)} After-hours work is billable"


def notice_body(request_id: int, given_at: datetime, zone: ZoneInfo) -> str:
    local = given_at.astimezone(zone)
    return (
        "Hello,\n\n"
        f"work on your request {request_id} outside the desk's opening hours is billed "
        "under your support contract at the after-hours rate, from "
        f"{local:%A %d %B %Y, %H:%M} ({local.tzname()}) on.\n\n"
        f"If you would rather wait until the desk opens, reply to this message and keep "
        f"{token(request_id)} in the subject.\n"
    )


def is_ack(body: str) -> bool:
    """A reply to a page acknowledges it when its first word is `ack` (any case)."""
    return bool(_ACK.match(body))

"""Asterisk / FreePBX voicemail-to-email, read as a voicemail rather than a mail.

Why: a voicemail left while all lines are busy must become a request timed from when it
was left, with the caller's number to match a contact and the recording kept.

What Asterisk sends (read from `apps/app_voicemail.c` in asterisk/asterisk, functions
`make_email_file`, `sendmail` and `add_email_attachment`; FreePBX uses the same module):

- Always, when known: `X-Asterisk-CallerID: <number>` and `X-Asterisk-CallerIDName:
  <name>` (controls and 8-bit bytes stripped by `strip_control_and_high`), and a
  `Message-ID: <Asterisk-MSGNUM-RANDOM-MAILBOX-PID@host>`.
- With IMAP storage (`make_email_file`'s `imap` argument; the plain `sendmail` path passes
  0) the full set: `X-Asterisk-VM-Message-Num`, `-Server-Name`, `-Context`, `-Extension`
  (the mailbox), `-Flag` (e.g. `Urgent`), `-Priority`, `-Caller-channel`,
  `-Caller-ID-Num`, `-Caller-ID-Name`, `-Duration` (whole seconds), `-Category`,
  `-Message-Type`, `-Orig-date` (formatted with `emaildateformat`, locale text, not
  parseable in general), `-Orig-time` (`time(NULL)` when the mail was written, right
  after the caller hung up: an epoch in seconds, printed `%ld`/`%jd`) and, since Asterisk
  11, `-Message-ID`.
- The recording as a base64 attachment `msg0000.wav` of type `audio/x-` + format
  (`audio/x-wav`, `audio/x-WAV` for wav49, `audio/x-gsm`; `application/ogg` for ogg).
- The body is the `emailbody` template of voicemail.conf, whose variables are
  `${VM_NAME}`, `${VM_DUR}` (m:ss), `${VM_MSGNUM}`, `${VM_MAILBOX}`, `${VM_CALLERID}`,
  `${VM_CIDNUM}`, `${VM_CIDNAME}`, `${VM_DATE}`, `${VM_CATEGORY}`; the built-in body says
  "a M:SS long message", which is read for the duration when no header gives it.

A message with any `X-Asterisk-VM-*` header, or `X-Asterisk-CallerID`, is a voicemail.
`X-Asterisk-VM-Orig-time` is read as an epoch, or failing that as an RFC 5322 date; a
value that is neither, or lies after when the mail reached us, leaves `left_at` at the
received time. Nothing here raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from console.domain.intake import normalise_phone
from console.mail.parsing.body import Attachment
from console.mail.parsing.headers import Headers

_AUDIO_EXTENSIONS = (".wav", ".gsm", ".mp3", ".ogg", ".g729", ".sln", ".au")
#: Caller ids Asterisk and carriers use for "nobody known".
_NO_NAME = frozenset({"", "unknown", "anonymous", "restricted", "private", "unavailable"})
_DEFAULT_BODY_DURATION = re.compile(r"\b(\d{1,4}):([0-5]\d) long message\b")
_ASTERISK_MESSAGE_ID = re.compile(r"^<?Asterisk-\d+-\d+-([^-@<>\s]+)-\d+@", re.IGNORECASE)
#: Where a dialled number's extension starts: "x12", "ext. 12", ";ext=12", "#12".


@dataclass(frozen=True)
class Voicemail:
    """A voicemail: who called (number normalised, name as sent), when it was left, how
    long it is, whose mailbox took it, and the recording."""

    caller_number: str | None
    caller_name: str | None
    left_at: datetime
    duration: timedelta | None
    mailbox: str | None
    recording: Attachment | None


def is_voicemail(headers: Headers) -> bool:
    """Whether Asterisk wrote this message (see the module docstring)."""
    return any(
        name.startswith("x-asterisk-vm-") or name == "x-asterisk-callerid"
        for name in headers.names()
    )


def read_voicemail(
    headers: Headers, text: str, attachments: tuple[Attachment, ...], received_at: datetime
) -> Voicemail:
    """The voicemail in an Asterisk message; `received_at` bounds and replaces `left_at`."""
    number = headers.get("X-Asterisk-VM-Caller-ID-Num") or headers.get("X-Asterisk-CallerID")
    name = headers.get("X-Asterisk-VM-Caller-ID-Name") or headers.get("X-Asterisk-CallerIDName")
    return Voicemail(
        caller_number=normalise_phone(number or "") or None,
        caller_name=None if (name or "").strip().lower() in _NO_NAME else name,
        left_at=_left_at(headers.get("X-Asterisk-VM-Orig-time"), received_at),
        duration=_duration(headers.get("X-Asterisk-VM-Duration"), text),
        mailbox=headers.get("X-Asterisk-VM-Extension") or _mailbox_from_id(headers),
        recording=next((a for a in attachments if _is_audio(a)), None),
    )


def _left_at(orig_time: str | None, received_at: datetime) -> datetime:
    when = None
    if orig_time and orig_time.strip().isdigit():
        try:
            when = datetime.fromtimestamp(int(orig_time.strip()), UTC)
        except (OverflowError, OSError, ValueError):
            when = None
    elif orig_time:
        try:
            when = parsedate_to_datetime(orig_time)
        except Exception:  # not a date at all: the received time stands
            when = None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    if when is None or when > received_at:
        return received_at
    return when.astimezone(UTC)


def _duration(header: str | None, text: str) -> timedelta | None:
    if header and header.strip().isdigit() and len(header.strip()) <= 7:
        return timedelta(seconds=int(header.strip()))
    match = _DEFAULT_BODY_DURATION.search(text)
    if match:
        return timedelta(minutes=int(match.group(1)), seconds=int(match.group(2)))
    return None


def _mailbox_from_id(headers: Headers) -> str | None:
    match = _ASTERISK_MESSAGE_ID.match(headers.get("Message-ID") or "")
    return match.group(1) if match else None


def _is_audio(attachment: Attachment) -> bool:
    return (
        attachment.content_type.startswith("audio/")
        or attachment.content_type == "application/ogg"
        or attachment.filename.lower().endswith(_AUDIO_EXTENSIONS)
    )

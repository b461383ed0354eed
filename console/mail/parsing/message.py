"""One customer e-mail or voicemail, from raw bytes to a typed, safe description.

Why: mail is written by strangers and by machines, in every charset and shape, and some
of it is hostile. Intake (issue #15) must decide from it, exactly once, whether it is a
new request, a reply, a duplicate, something to ignore or something to quarantine; that
decision is only as good as this reading. So the reading is pure (bytes and the values
passed in, no I/O, no clock, no database) and total: `read_message` returns for any bytes.

What: `read_message(raw, received_fallback=...)` parses with the standard library's
`email` package (`email.policy.default`, falling back to `compat32` for a header the
modern policy raises on; no hand-written MIME parsing) and returns an `Incoming`:

- `message_id`: the Message-ID in angle brackets or, when there is none, `sha256:` and the
  SHA-256 of the headers (less the trace headers each hop adds, so the same mail fetched
  by IMAP and piped by the MTA has the same key) and the body: the duplicate key;
- `sender`, `subject`, `text`, `attachments`: decoded and cleaned (`text.py`, `body.py`);
- `in_reply_to`, `references`, `thread_index` (the first 22 bytes of Outlook's base64
  Thread-Index, in hex: they identify the conversation) and `subject_token` (the request
  number in a `[SB#123]` subject token) for threading;
- `received_at`: when our side received it: the date of the topmost `Received:` header
  (the one our own server added last), else `received_fallback` (IMAP INTERNALDATE, or
  now); never the sender's `Date:` and never later than the fallback;
- `auto`: why a machine wrote it (`auto.py`), or None; `voicemail` (`voicemail.py`).

How it fails: input that is not a message at all (empty, no header fields, no sender
address) or that breaks the parser in a way nothing above absorbed is `Unreadable` with a
one-line reason and the raw bytes kept whole for quarantine. The only exception raised is
a `ValueError` for a naive `received_fallback`, which is a caller's bug, not bad mail.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime

from console.mail.parsing.auto import auto_reason
from console.mail.parsing.body import DEFAULT_ATTACHMENT_LIMIT, Attachment, read_body
from console.mail.parsing.headers import HEADER_END, Headers, decode_words
from console.mail.parsing.text import one_line
from console.mail.parsing.voicemail import Voicemail, is_voicemail, read_voicemail

#: A request number carried in the subject of every mail the desk sends: `[SB#123]`.
SUBJECT_TOKEN = re.compile(r"\[SB#(\d{1,12})\]", re.IGNORECASE)
#: Message ids are printable ASCII (RFC 5322 msg-id); anything else is not one.
_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,900}>")
_BARE_MESSAGE_ID = re.compile(r"^[\x21-\x3b\x3d\x3f-\x7e]{1,900}@[\x21-\x3b\x3d\x3f-\x7e]{1,255}$")
_MAX_REFERENCES = 100
#: An address the desk can match a contact by (quoted local parts are not supported).
_ADDRESS = re.compile(r"^[^\s<>()\[\],;:\"@\\]{1,64}@[^\s<>()\[\],;:\"@\\]{1,255}$")
_ADDRESS_IN_TEXT = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
#: Headers added on the way to us, left out of the hash so every route gives one key.
_TRACE_HEADERS = frozenset(
    {
        "received",
        "return-path",
        "delivered-to",
        "x-original-to",
        "x-envelope-from",
        "x-envelope-to",
        "authentication-results",
        "arc-seal",
        "arc-message-signature",
        "arc-authentication-results",
        "received-spf",
        "x-spam-status",
        "x-spam-score",
        "x-spam-flag",
        "x-spam-level",
        "x-spam-checker-version",
        "x-virus-scanned",
        "x-virus-status",
        "status",
        "x-status",
        "x-uid",
        "x-keywords",
        "content-length",
        "lines",
        "x-mozilla-status",
        "x-mozilla-status2",
    }
)
#: Blanks at a line's end (some routes strip them, some keep them).
_TRAILING_BLANKS = re.compile(rb"[ \t]+\n")


@dataclass(frozen=True)
class Sender:
    """Who sent it: the address lower-cased, and the display name decoded (may be "")."""

    address: str
    name: str


@dataclass(frozen=True)
class Incoming:
    """A message read safely; see the module docstring for each field."""

    message_id: str
    sender: Sender
    subject: str
    text: str
    attachments: tuple[Attachment, ...]
    in_reply_to: str | None
    references: tuple[str, ...]
    thread_index: str | None
    subject_token: int | None
    received_at: datetime
    auto: str | None
    voicemail: Voicemail | None


@dataclass(frozen=True)
class Unreadable:
    """A message that cannot be read: why, in one line, and the bytes kept whole."""

    reason: str
    raw: bytes


def read_message(
    raw: bytes,
    *,
    received_fallback: datetime,
    attachment_limit: int = DEFAULT_ATTACHMENT_LIMIT,
) -> Incoming | Unreadable:
    """Read one RFC 5322 message; never raises on any `raw` (see the module docstring).

    `received_fallback` must be timezone-aware; attachments larger than
    `attachment_limit` bytes are kept as `refused` entries without their bytes.
    """
    if received_fallback.tzinfo is None:
        raise ValueError("received_fallback must be timezone-aware")
    raw = bytes(raw)
    try:
        return _read(raw, received_fallback.astimezone(UTC), attachment_limit)
    except Exception as exc:  # the last line of defence: quarantine, never a traceback
        return Unreadable(f"the message could not be parsed ({type(exc).__name__})", raw)


def _read(raw: bytes, fallback: datetime, limit: int) -> Incoming | Unreadable:
    if not raw.strip():
        return Unreadable("empty message", raw)
    headers = Headers.parse(raw)
    if not headers.names():
        return Unreadable("no header fields: not an RFC 5322 message", raw)
    sender = _sender(headers)
    if not sender.address:
        return Unreadable("no sender address in From", raw)
    subject = headers.get("Subject") or ""
    received_at = _received_at(headers, fallback)
    body = read_body(headers.message, attachment_limit=limit)
    voicemail = None
    if is_voicemail(headers):
        voicemail = read_voicemail(headers, body.text, body.attachments, received_at)
    references = _MESSAGE_ID.findall(" ".join(headers.raw_all("References")))
    token = SUBJECT_TOKEN.search(subject)
    return Incoming(
        message_id=_message_id(headers) or _content_hash(raw, headers),
        sender=sender,
        subject=subject,
        text=body.text,
        attachments=body.attachments,
        in_reply_to=next(iter(_MESSAGE_ID.findall(" ".join(headers.raw_all("In-Reply-To")))), None),
        references=tuple(references[-_MAX_REFERENCES:]),
        thread_index=_thread_index(headers.get("Thread-Index")),
        subject_token=int(token.group(1)) if token else None,
        received_at=received_at,
        auto=auto_reason(headers, subject, sender.address),
        voicemail=voicemail,
    )


def _sender(headers: Headers) -> Sender:
    """The first plausible From address: the modern parse, else the old parser on the
    decoded text, else the first thing shaped like an address in it."""
    parsed = headers.address_header("From")
    try:
        first = parsed.addresses[0] if parsed is not None else None
        if first is not None and _plausible(first.addr_spec):
            return Sender(first.addr_spec.lower(), one_line(first.display_name))
    except Exception:  # no modern reading: parse the decoded raw text the old way
        pass
    for raw_from in headers.raw_all("From"):
        decoded = decode_words(raw_from)
        for name, address in getaddresses([decoded]):
            if _plausible(address):
                return Sender(address.lower(), one_line(name))
        found = _ADDRESS_IN_TEXT.search(decoded)
        if found:
            return Sender(found.group().lower(), "")
    return Sender("", "")


def _plausible(address: str) -> bool:
    """One address, nothing around it, no control or reordering character in it."""
    return bool(_ADDRESS.match(address)) and one_line(address) == address


def _message_id(headers: Headers) -> str | None:
    for value in headers.raw_all("Message-ID"):
        found = _MESSAGE_ID.search(value)
        if found:
            return found.group()
        bare = value.strip()
        if _BARE_MESSAGE_ID.match(bare):
            return f"<{bare}>"
    return None


def _content_hash(raw: bytes, headers: Headers) -> str:
    """SHA-256 over the non-trace headers (name and unfolded value) and the body, with
    line endings and trailing white space normalised: the same mail by any route."""
    digest = hashlib.sha256()
    for name, value in headers.legacy.raw_items():
        if name.lower() in _TRACE_HEADERS:
            continue
        unfolded = " ".join(str(value).split())
        digest.update(f"{name.lower()}:{unfolded}\n".encode("utf-8", "surrogateescape"))
    split = HEADER_END.search(raw)
    body = raw[split.end() :] if split else b""
    body = _TRAILING_BLANKS.sub(b"\n", body.replace(b"\r\n", b"\n"))
    digest.update(b"\n" + body.rstrip(b" \t\r\n"))
    return f"sha256:{digest.hexdigest()}"


def _received_at(headers: Headers, fallback: datetime) -> datetime:
    trace = headers.raw_all("Received")
    if not trace or ";" not in trace[0]:
        return fallback
    try:
        when = parsedate_to_datetime(" ".join(trace[0].rsplit(";", 1)[1].split()))
    except Exception:  # an unreadable date in our own trace line: the fallback stands
        return fallback
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(when.astimezone(UTC), fallback)


def _thread_index(value: str | None) -> str | None:
    if not value:
        return None
    compact = "".join(value.split())
    try:
        data = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return data[:22].hex() if len(data) >= 22 else None

"""A message's body as plain text, and its attachments as safe, sized, hashed bytes.

Why: the desk reads mail on a terminal and stores it with a request, so the body must be
text (never markup) and an attachment's name must be safe to show and to write to disk.

What: the MIME tree is walked to a bounded depth. Inline text/plain parts are the body,
joined in order; only when there are none are the inline text/html parts converted by
`html_to_text`. Every other leaf (a named or `attachment` part, an image, winmail.dat,
an audio recording) and every embedded message (`message/*`) is an `Attachment`. An
attachment larger than the limit passed in is kept as a `refused` entry with its size and
hash but without its bytes, so the sender can be told rather than the file vanishing.

How it fails: it does not. A part whose headers the modern policy cannot read is taken as
application/octet-stream; a payload that cannot be decoded is taken as written; a tree
nested deeper than `_MAX_DEPTH` is read no deeper.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32

from console.mail.parsing.charsets import decode_payload
from console.mail.parsing.headers import decode_words
from console.mail.parsing.html_text import html_to_text
from console.mail.parsing.text import clean_text, one_line

#: The default size limit of one attachment (the issue's 25 MB).
DEFAULT_ATTACHMENT_LIMIT = 25 * 1024 * 1024
_MAX_DEPTH = 30
_MAX_FILENAME_BYTES = 200
#: Characters no file system or shell should meet in a name we chose to keep.
_UNSAFE_IN_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)", re.IGNORECASE)
_EXTENSIONS = {
    "message/rfc822": ".eml",
    "audio/x-wav": ".wav",
    "audio/wav": ".wav",
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "text/calendar": ".ics",
}


@dataclass(frozen=True)
class Attachment:
    """One attachment: a safe file name, its declared type, its size in bytes, the
    SHA-256 of its bytes and the bytes themselves (empty when `refused`)."""

    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes = field(repr=False)
    refused: bool = False


@dataclass(frozen=True)
class Body:
    """What the walk found: the text and the attachments in order of appearance."""

    text: str
    attachments: tuple[Attachment, ...]


def read_body(message: Message, *, attachment_limit: int) -> Body:
    """The body text and attachments of a parsed message (never raises)."""
    walk = _Walk(attachment_limit)
    walk.visit(message, depth=0)
    plain = [text for text in walk.plain if text.strip()]
    if plain:
        text = "\n\n".join(plain)
    else:
        text = "\n\n".join(html_to_text(markup) for markup in walk.html)
    return Body(clean_text(text), tuple(walk.attachments))


class _Walk:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []

    def visit(self, part: Message, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        ctype = _content_type(part)
        payload = part.get_payload()
        if ctype.startswith("message/") and depth > 0:
            self.attachments.append(self._attachment(part, ctype, _embedded_bytes(part)))
            return
        if isinstance(payload, list):
            for child in payload:
                if isinstance(child, Message):
                    self.visit(child, depth + 1)
            return
        disposition, filename = _disposition(part), _filename(part)
        is_text = ctype in ("text/plain", "text/html") or ctype.startswith("multipart/")
        if is_text and disposition != "attachment" and not filename:
            text = decode_payload(_payload_bytes(part), _charset(part))
            (self.html if ctype == "text/html" else self.plain).append(text)
            return
        self.attachments.append(self._attachment(part, ctype, _payload_bytes(part)))

    def _attachment(self, part: Message, ctype: str, data: bytes) -> Attachment:
        name = safe_filename(_filename(part), ctype, len(self.attachments) + 1)
        digest = hashlib.sha256(data).hexdigest()
        if len(data) > self.limit:
            return Attachment(name, ctype, len(data), digest, b"", refused=True)
        return Attachment(name, ctype, len(data), digest, data)


def safe_filename(name: str | None, content_type: str, number: int) -> str:
    """A file name that is safe to show and to write: no folders, no controls, none of
    the characters Windows refuses, not hidden, not a device name, at most 200 bytes with
    its extension kept; `attachment-N.ext` when nothing usable is left."""
    base = posixpath.basename((name or "").replace("\\", "/"))
    base = _UNSAFE_IN_NAME.sub("_", one_line(base)).strip(" .")
    if _WINDOWS_RESERVED.match(base):
        base = f"_{base}"
    if not base.strip("_"):
        return f"attachment-{number}{_EXTENSIONS.get(content_type, '')}"
    stem, dot, ext = base.rpartition(".")
    if not dot or len(ext) > 16:
        stem, ext = base, ""
    suffix = f".{ext}" if ext else ""
    while len((stem + suffix).encode("utf-8")) > _MAX_FILENAME_BYTES:
        stem = stem[:-1]
    return (stem + suffix) if stem else f"attachment-{number}{suffix}"


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:  # an unreadable Content-Type: treat the part as opaque bytes
        return "application/octet-stream"


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:  # unreadable: no disposition, decided by type and name instead
        return None


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename() or part.get_param("name")
    except Exception:  # the modern policy could not read the parameter
        name = None
    if name is None:
        return None
    if isinstance(name, tuple):  # an RFC 2231 value the caller must decode
        name = decode_payload(str(name[2]).encode("latin-1", "replace"), name[0])
    return decode_words(name)


def _charset(part: Message) -> str | None:
    try:
        charset = part.get_param("charset")
    except Exception:  # unreadable parameter: the text is guessed
        return None
    return charset if isinstance(charset, str) else None


def _payload_bytes(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a transfer encoding that cannot be undone: the text as written
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _embedded_bytes(part: Message) -> bytes:
    """An embedded message (a forwarded mail, a delivery report's parts) as bytes."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return _payload_bytes(part)
    chunks = []
    for inner in payload:
        if not isinstance(inner, Message):  # not a message: nothing to write
            chunks.append(b"")
            continue
        try:
            chunks.append(inner.as_bytes())
        except Exception:  # a header the modern generator cannot fold: write it as read
            try:
                chunks.append(inner.as_bytes(policy=compat32))
            except Exception:  # not even as read: the embedded part is left empty
                chunks.append(b"")
    return b"\n".join(chunks)

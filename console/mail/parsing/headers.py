"""Reading one header of a hostile message without an exception escaping.

The standard library's modern policy (`email.policy.default`) decodes RFC 2047 words and
parses addresses, but some malformed headers make it raise when a header is read (an
encoded word cut short, an address list it cannot fold). Each read here tries the modern
policy first and, when it raises, decodes the same header of a `compat32` parse of the
same bytes: RFC 2047 words decoded one by one, undecodable bytes replaced. A header that
neither can read is absent, never an exception.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import re
from email.headerregistry import AddressHeader
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser

from console.mail.parsing.charsets import decode_payload, guess
from console.mail.parsing.text import one_line

#: The blank line that ends the header block.
HEADER_END = re.compile(rb"\r?\n\r?\n")


class Headers:
    """The headers of one message, read safely; names are case-insensitive."""

    def __init__(self, modern: EmailMessage, legacy: Message) -> None:
        self._modern = modern
        self._legacy = legacy

    @classmethod
    def parse(cls, raw: bytes) -> Headers:
        """Both parses of `raw` (the parser itself never raises on bytes); the legacy one
        is given only the header block, so a large body is parsed once."""
        modern = email.message_from_bytes(raw, policy=email.policy.default)
        end = HEADER_END.search(raw)
        block = raw[: end.end()] if end else raw
        legacy = BytesHeaderParser(policy=email.policy.compat32).parsebytes(block)
        return cls(modern, legacy)

    @property
    def message(self) -> EmailMessage:
        """The message parsed with the modern policy (for its MIME structure)."""
        return self._modern

    @property
    def legacy(self) -> Message:
        """The same message parsed with `compat32` (raw header values)."""
        return self._legacy

    def names(self) -> list[str]:
        """Every header name, in order, lower-cased."""
        return [name.lower() for name in self._legacy]

    def has(self, name: str) -> bool:
        return name in self._legacy

    def get(self, name: str) -> str | None:
        """The first `name` header as decoded text on one line, or None if absent."""
        values = self.get_all(name)
        return values[0] if values else None

    def get_all(self, name: str) -> list[str]:
        """Every `name` header, decoded, one line each, in order of appearance."""
        try:
            return [one_line(str(value)) for value in self._modern.get_all(name, [])]
        except Exception:  # the modern policy raised on this header: read it the old way
            return [decode_words(value) for value in self._legacy.get_all(name, [])]

    def raw_all(self, name: str) -> list[str]:
        """Every `name` header as written, undecoded (8-bit bytes as surrogate escapes)."""
        wanted = name.lower()
        return [str(value) for key, value in self._legacy.raw_items() if key.lower() == wanted]

    def address_header(self, name: str) -> AddressHeader | None:
        """The modern policy's parsed address header, or None when it cannot be read."""
        try:
            header = self._modern[name]
        except Exception:  # an unreadable address: the caller falls back to the raw text
            return None
        return header if isinstance(header, AddressHeader) else None


def decode_words(value: object) -> str:
    """A raw header value with its RFC 2047 encoded words decoded (unknown charsets and
    bad bytes replaced), on one line."""
    if isinstance(value, email.header.Header):
        parts = email.header.decode_header(value)  # raw 8-bit text as unknown-8bit bytes
    else:
        text = _unescape_8bit(str(value))
        try:
            parts = email.header.decode_header(text)
        except Exception:  # not even the old decoder reads it: keep the text as written
            return one_line(text)
    decoded = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            decoded.append(chunk)
            continue
        decoded.append(decode_payload(chunk, charset))
    return one_line("".join(decoded))


def _unescape_8bit(text: str) -> str:
    """Raw 8-bit header bytes (held as surrogate escapes) read as UTF-8 or Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    try:
        return guess(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a surrogate that is no escaped byte: cannot be restored
        return text

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
from email.message import EmailMessage, Message

from console.mail.parsing.charsets import decode_payload
from console.mail.parsing.text import one_line


class Headers:
    """The headers of one message, read safely; names are case-insensitive."""

    def __init__(self, modern: EmailMessage, legacy: Message) -> None:
        self._modern = modern
        self._legacy = legacy

    @classmethod
    def parse(cls, raw: bytes) -> Headers:
        """Both parses of `raw` (the parser itself never raises on bytes)."""
        modern = email.message_from_bytes(raw, policy=email.policy.default)
        legacy = email.message_from_bytes(raw, policy=email.policy.compat32)
        return cls(modern, legacy)  # type: ignore[arg-type]

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
        return [str(value) for value in self._legacy.get_all(name, [])]

    def address_header(self, name: str) -> object | None:
        """The modern policy's parsed address header, or None when it cannot be read."""
        try:
            return self._modern[name]
        except Exception:  # an unreadable address: the caller falls back to the raw text
            return None


def decode_words(value: object) -> str:
    """A raw header value with its RFC 2047 encoded words decoded (unknown charsets and
    bad bytes replaced), on one line."""
    text = str(value)
    try:
        parts = email.header.decode_header(text)
    except Exception:  # not even the old decoder reads it: keep the text as written
        return one_line(_without_surrogates(text))
    decoded = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            decoded.append(chunk)
            continue
        decoded.append(decode_payload(chunk, charset))
    return one_line(_without_surrogates("".join(decoded)))


def _without_surrogates(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8", "replace")

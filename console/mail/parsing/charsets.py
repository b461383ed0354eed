"""Bytes in whatever charset a mail claims, turned into text without an exception.

Mail declares its charset and is often wrong: "ISO-8859-1" bodies carry Windows-1252's
smart quotes and euro sign in 0x80-0x9F (where Latin-1 has only invisible controls), a
charset may be misspelt or unknown, or name a codec that is not text at all ("base64",
"rot13"). The rules, in order:

- Latin-1 and US-ASCII labels are read as Windows-1252, as every browser does (WHATWG
  Encoding Standard), so a mislabelled euro sign is a euro sign;
- a known text charset is used with undecodable bytes replaced (U+FFFD);
- an unknown or non-text label, or none, is read as UTF-8 if the bytes are valid UTF-8,
  else as Windows-1252 with replacement.
"""

from __future__ import annotations

import codecs

#: Labels read as Windows-1252 (the WHATWG Encoding Standard's mapping).
_AS_WINDOWS_1252 = frozenset(
    {
        "iso-8859-1",
        "iso8859-1",
        "latin1",
        "latin-1",
        "l1",
        "us-ascii",
        "ascii",
        "cp819",
        "ibm819",
        "iso-ir-100",
        "iso_8859-1",
        "x-cp1252",
        "windows-1252",
        "cp1252",
    }
)
#: Codecs Python knows that must never decode mail: they are not text, or need a
#: strictness mail cannot promise.
_REFUSED = frozenset({"idna", "punycode", "raw_unicode_escape", "unicode_escape"})


def decode_payload(data: bytes, charset: str | None) -> str:
    """`data` as text by the rules above; always returns, never raises."""
    codec = _text_codec(charset)
    if codec is not None:
        try:
            return data.decode(codec, errors="replace")
        except Exception:  # a codec that fails even with replacement: guess instead
            pass
    return guess(data)


def guess(data: bytes) -> str:
    """Bytes of no trustworthy charset: UTF-8 when valid, else Windows-1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _text_codec(charset: str | None) -> str | None:
    if not charset:
        return None
    label = str(charset).strip().strip('"').lower()
    if label in _AS_WINDOWS_1252:
        return "cp1252"
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return info.name

"""Text from people and from databases, made safe to put on a terminal.

Anything may be in a stored summary or a typed value: another tool can write what the
write path refuses. Such text is never sent raw: what a terminal would obey is shown as
an escape (`\\x1b`, `\\u202e`) instead. Used by the CLI and the console alike.
"""

from __future__ import annotations

import re

#: What a terminal obeys rather than shows, or what reorders the text around it, beyond
#: the C0 controls: DEL, C1 controls, the bidi marks, embeddings, overrides and isolates,
#: the line and paragraph separators, and lone surrogates (which cannot even be encoded).
OBEYED = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
#: In one printed value the C0 controls too: a newline or tab there forges a line or a column.
_UNSAFE = re.compile(f"[\x00-\x1f{OBEYED}]")


def escaped(char: str) -> str:
    """One character as an escape: `\\x1b`, `\\u202e` or `\\U000e0001`."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def inert(text: str) -> str:
    """One printed value with each character a terminal would obey escaped (the CLI's
    lines: exact otherwise, so a value can be read back)."""
    return _UNSAFE.sub(lambda match: escaped(match.group()), text)


def inert_cell(text: str) -> str:
    """Text for one cell of a screen: line breaks and tabs become spaces, and anything
    not printable (controls, format and private-use characters) is escaped, so a cell
    is always exactly one line of the width it measures."""
    flat = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return "".join(ch if ch.isprintable() else escaped(ch) for ch in flat)

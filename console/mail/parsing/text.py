"""Text taken out of a message, made safe to store and to show.

A mail is written by a stranger: its subject, names and body may hold terminal escapes,
NULs, bidi overrides or lone surrogates. Everything `read_message` returns passes through
here, so the rest of the desk never meets them. What is removed is the same set the
console escapes (`console.text.OBEYED`) plus the C0 controls, except newline and tab in
multi-line text; nothing here raises.
"""

from __future__ import annotations

import re

from console.text import OBEYED

#: Controls removed from multi-line text: every C0 control but tab and newline, and what a
#: terminal obeys (DEL, C1, bidi overrides, lone surrogates).
_UNSAFE_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{OBEYED}]")
_LINE_BREAKS = re.compile("\r\n|\r|\u2028|\u2029|\x0b|\x0c|\x85")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_ANY_SPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Multi-line text with one kind of line break (`\\n`), tabs kept, every other control
    removed, trailing spaces and runs of blank lines trimmed."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _UNSAFE_IN_TEXT.sub("", text)
    text = _TRAILING_SPACE.sub("\n", text)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip("\n")


def one_line(text: str) -> str:
    """One line: every run of white space (line breaks and tabs included) becomes one
    space, controls are removed, and the ends are trimmed."""
    return _ANY_SPACE.sub(" ", clean_text(text)).strip()

"""Checking what people typed, for every command: text, handles, times, choices.

Each check returns the clean value or raises `InvalidInput` with one line that quotes the
input shortened and escaped (`shown`), and, for a name, the close ones (`did_you_mean`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from console.store.errors import InvalidInput

E = TypeVar("E", bound=Enum)

#: How far ahead of `now` a typed time may be (clocks of two machines disagree a little).
CLOCK_TOLERANCE = timedelta(minutes=5)
HANDLE = re.compile(r"[a-z][a-z0-9._-]{0,31}")
#: Longest text accepted per kind of field, in characters.
LIMITS = {"name": 200, "summary": 2000, "note": 4000, "reason": 1000, "phone": 40, "email": 254}


def _word_close(key: str, name: str) -> bool:
    """Misspelt words of a longer name: "edna" for "city of edina, mn", "glen elyn" for
    "village of glen ellyn, il" (each typed word close to one of the name's)."""
    typed = [word for word in re.findall(r"\w+", key) if len(word) >= 3]
    words = re.findall(r"\w+", name)
    return bool(typed) and all(
        any(difflib.SequenceMatcher(None, t, word).ratio() >= 0.75 for word in words) for t in typed
    )


def did_you_mean(typed: str, names: Sequence[str], most: int = 3) -> str:
    """`; did you mean Fargo County?` for the names close to `typed` (those that begin with
    it or hold it, then the near misspellings), or "" when none is close."""
    key = typed.strip().casefold()
    if not key:
        return ""
    by_key = {name.casefold(): name for name in names}
    chosen = [k for k in by_key if k.startswith(key)]
    if len(key) >= 3:  # "fargo" in "city of fargo, nd"; not "a" in everything
        chosen += [k for k in by_key if key in k and k not in chosen]
    chosen += [k for k in difflib.get_close_matches(key, list(by_key), most) if k not in chosen]
    chosen += [k for k in by_key if k not in chosen and _word_close(key, k)]
    shown_names = [shown(by_key[k]).strip("'\"") for k in chosen[:most]]
    if not shown_names:
        return ""
    if len(shown_names) == 1:
        return f"; did you mean {shown_names[0]}?"
    return f"; did you mean {', '.join(shown_names[:-1])} or {shown_names[-1]}?"


def shown(text: Any, width: int = 40) -> str:
    """User input quoted for a one-line message: shortened, control characters escaped."""
    text = str(text)
    short = text if len(text) <= width else text[:width] + "…"
    return repr(short)


# -- checking what people typed ------------------------------------------------------


def clean_text(
    value: str | None, field: str, kind: str, *, required: bool = True, multiline: bool = False
) -> str | None:
    """`value` trimmed, or `InvalidInput` when empty, too long, or holding control characters."""
    if value is None or not value.strip():
        if required:
            raise InvalidInput(f"{field} is empty")
        return None
    limit = LIMITS[kind]
    if len(value) > limit:
        raise InvalidInput(f"{field} is too long ({len(value)} characters; at most {limit})")
    allowed = "\n\t" if multiline else ""
    for index, char in enumerate(value):
        if char not in allowed and unicodedata.category(char) in ("Cc", "Cs"):
            raise InvalidInput(
                f"{field} contains a control character (U+{ord(char):04X}) at position {index + 1}"
            )
    return value.strip()


def clean_handle(value: str) -> str:
    handle = (value or "").strip().lower()
    if not HANDLE.fullmatch(handle):
        raise InvalidInput(
            f"handle {shown(value)} is not 1 to 32 of a-z, 0-9, '.', '_', '-' "
            "starting with a letter"
        )
    return handle


def not_future(at: datetime, now: datetime, field: str) -> datetime:
    if at.tzinfo is None:
        raise InvalidInput(f"{field} has no time zone")
    if at > now + CLOCK_TOLERANCE:
        raise InvalidInput(f"{field} {at.isoformat()} is in the future")
    return at


def one_of(value: str, choices: type[E], field: str) -> E:
    try:
        return choices(value)
    except ValueError:
        accepted = ", ".join(c.value for c in choices)
        raise InvalidInput(f"{field} {shown(value)} is not one of: {accepted}") from None

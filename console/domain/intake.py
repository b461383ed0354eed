"""Intake policy as pure code: comparing phone numbers, and where a customer's reply goes.

No I/O and no clock: the instants are passed in. The store's intake command
(`console/store/commands/intake.py`) applies these decisions inside its transaction.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

#: A reply to a request resolved less than this long ago reopens it (a setting).
DEFAULT_REOPEN_WITHIN = timedelta(days=14)

_EXTENSION = re.compile(r"(?:\bext\.?|;ext=|x|#).*$", re.IGNORECASE)


def normalise_phone(text: str) -> str:
    """A phone number as digits only, for comparing a caller with a contact's number.

    A SIP or tel URI keeps only its user part, a dialled extension ("x12", "ext. 12",
    ";ext=12") is cut off, every other non-digit is dropped, and an 11-digit NANP number
    loses its leading country code 1, so "+1 (555) 010-0199", "1-555-010-0199" and
    "555.010.0199" are all "5550100199". No digits gives "".
    """
    value = text.strip()
    lowered = value.lower()
    for scheme in ("sips:", "sip:", "tel:"):
        if lowered.startswith(scheme):
            value = value[len(scheme) :].split("@", 1)[0]
            break
    digits = "".join(ch for ch in _EXTENSION.sub("", value) if "0" <= ch <= "9")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[1:]
    return digits


class ReplyRoute(StrEnum):
    """What a customer's reply does to the request it answers."""

    JOIN = "join"  # the request is still being handled: the message joins it
    REOPEN = "reopen"  # resolved recently: it opens again
    NEW_LINKED = "new-linked"  # resolved long ago: a new request that links to the old one


def route_reply(
    status: str,
    resolved_at: datetime | None,
    received_at: datetime,
    reopen_within: timedelta = DEFAULT_REOPEN_WITHIN,
) -> ReplyRoute:
    """Where a reply received at `received_at` goes, given its request's state."""
    if status != "resolved":
        return ReplyRoute.JOIN
    if resolved_at is not None and received_at - resolved_at <= reopen_within:
        return ReplyRoute.REOPEN
    return ReplyRoute.NEW_LINKED


def mail_domain(address: str) -> str:
    """The domain of an address, lower-cased ("" when it has none)."""
    return address.rpartition("@")[2].strip().lower() if "@" in address else ""


_DOMAIN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def valid_domain(text: str) -> bool:
    """`text` is a DNS name like example.org (lower-case letters, digits, dots, hyphens)."""
    return bool(_DOMAIN.fullmatch(text))

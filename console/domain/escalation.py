"""Where an escalated request goes (POLICY.md section 5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")

#: The largest position a technical lead may ask for; any past the end of the order means
#: last, so this only refuses nonsense (and keeps the number inside a database integer).
LAST_POSITION = 10_000


class EscalationKind(StrEnum):
    ADDITIONAL_SERVICES = "additional-services"
    PRODUCT = "product"  # a question about the product, or an application error
    OTHER = "other"


class Destination(StrEnum):
    CUSTOMER_CARE = "customer-care"
    TECHNICAL = "technical"
    PERSON = "person"  # a named person chosen by the liaison


ROUTES: dict[EscalationKind, Destination] = {
    EscalationKind.ADDITIONAL_SERVICES: Destination.CUSTOMER_CARE,
    EscalationKind.PRODUCT: Destination.TECHNICAL,
    EscalationKind.OTHER: Destination.PERSON,
}


class RoutingError(ValueError):
    """An escalation that cannot be routed as asked."""


@dataclass(frozen=True)
class Route:
    destination: Destination
    #: The person it goes to; always set for `Destination.PERSON`, optional elsewhere.
    assignee: str | None


def route(kind: EscalationKind | str, person: str | None = None) -> Route:
    """The destination of an escalation of `kind`, and who takes it.

    `other` goes to the person the liaison names, so it needs one; the other kinds go to
    a team, where `person` (if given) is who in that team takes it first.
    """
    try:
        kind = EscalationKind(kind)
    except ValueError:
        accepted = ", ".join(k.value for k in EscalationKind)
        raise RoutingError(f"unknown escalation kind {kind!r} (accepted: {accepted})") from None
    destination = ROUTES[kind]
    if destination is Destination.PERSON and not person:
        raise RoutingError("an escalation of kind 'other' needs a named person (--to HANDLE)")
    return Route(destination, person or None)


def check_move(destination: Destination | str, person: str | None, reason: str | None) -> Route:
    """Validate a lead's move of an escalation to another destination."""
    try:
        destination = Destination(destination)
    except ValueError:
        accepted = ", ".join(d.value for d in Destination)
        raise RoutingError(f"unknown destination {destination!r} (accepted: {accepted})") from None
    if not (reason and reason.strip()):
        raise RoutingError("moving an escalation to another destination needs a reason")
    if destination is Destination.PERSON and not person:
        raise RoutingError("moving an escalation to a named person needs the person (--to HANDLE)")
    return Route(destination, person or None)


class PositionError(ValueError):
    """A technical position that cannot be used."""


def place(order: Sequence[T], item: T, position: int) -> list[T]:
    """`order` with `item` moved (or added) to `position`, 1 being first.

    Insert semantics: the items between its old and its new place shift by one, the others
    keep theirs. A position past the end means last. The technical team's order is this
    list numbered 1..n, so it has no repeats and no holes by construction.
    """
    rest = [other for other in order if other != item]
    if not 1 <= position <= LAST_POSITION:
        last = len(rest) + 1
        raise PositionError(
            f"position must be 1 (first) to {LAST_POSITION}: the technical order holds "
            f"{last}, so {last} or more means last"
        )
    rest.insert(min(position, len(rest) + 1) - 1, item)
    return rest

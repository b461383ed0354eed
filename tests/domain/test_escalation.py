"""Escalation routing (POLICY.md section 5)."""

from __future__ import annotations

import pytest

from console.domain.escalation import (
    Destination,
    EscalationKind,
    RoutingError,
    check_move,
    route,
)


@pytest.mark.parametrize(
    ("kind", "destination"),
    [
        ("additional-services", Destination.CUSTOMER_CARE),
        ("product", Destination.TECHNICAL),
        (EscalationKind.OTHER, Destination.PERSON),
    ],
)
def test_each_kind_has_its_destination(kind, destination) -> None:
    assert route(kind, "maria").destination is destination


def test_team_destinations_need_no_person() -> None:
    assert route("product") == route(EscalationKind.PRODUCT, None)
    assert route("product").assignee is None


def test_other_needs_a_named_person() -> None:
    with pytest.raises(RoutingError, match="named person"):
        route("other")
    with pytest.raises(RoutingError, match="named person"):
        route("other", "")
    assert route("other", "lee").assignee == "lee"


def test_unknown_kind_lists_the_accepted_ones() -> None:
    with pytest.raises(RoutingError, match="additional-services, product, other"):
        route("urgent")


def test_moving_needs_a_reason_and_for_a_person_the_person() -> None:
    with pytest.raises(RoutingError, match="reason"):
        check_move("technical", None, "  ")
    with pytest.raises(RoutingError, match="person"):
        check_move("person", None, "needs the web lead")
    with pytest.raises(RoutingError, match="unknown destination"):
        check_move("legal", None, "why not")
    assert check_move("customer-care", None, "quote").destination is Destination.CUSTOMER_CARE

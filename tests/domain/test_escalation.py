"""Escalation routing (POLICY.md section 5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.escalation import (
    LAST_POSITION,
    Destination,
    EscalationKind,
    PositionError,
    RoutingError,
    check_move,
    place,
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


@given(
    st.lists(st.integers(0, 50), unique=True, max_size=12),
    st.integers(0, 60),
    st.integers(1, LAST_POSITION),
)
def test_place_keeps_every_item_once_and_the_others_in_their_order(
    order: list[int], item: int, position: int
) -> None:
    placed = place(order, item, position)
    others = [o for o in order if o != item]
    assert sorted(placed) == sorted([*others, item])  # 1..n: no repeat, no hole
    assert placed.index(item) + 1 == min(position, len(others) + 1)  # past the end: last
    assert [o for o in placed if o != item] == others  # the rest shift, never swap


def test_place_moves_up_and_down_with_insert_semantics() -> None:
    assert place(["a", "b", "c", "d"], "d", 2) == ["a", "d", "b", "c"]
    assert place(["a", "b", "c", "d"], "a", 3) == ["b", "c", "a", "d"]
    assert place(["a", "b"], "new", 99) == ["a", "b", "new"]


@pytest.mark.parametrize("position", [0, -3, LAST_POSITION + 1])
def test_place_refuses_a_position_out_of_range_naming_the_limits(position: int) -> None:
    with pytest.raises(PositionError, match=r"1 \(first\) to 10000: .* holds 3, so 3 or more"):
        place(["a", "b", "c"], "a", position)

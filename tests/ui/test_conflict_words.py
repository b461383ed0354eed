"""The conflict dialog's words, without a screen: every shape a conflict can take."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from console.store.board_rows import EscalationRow
from console.store.errors import ConflictError
from console.ui.conflicts import Again, Conflict, conflict_text, retry_hint
from tests.conftest import NOW

CHICAGO = ZoneInfo("America/Chicago")
NAMES = {"rosa": "Rosa Hernandez", "grace": "Grace Patel"}
ERROR = ConflictError(
    "escalation", 32, "rosa", NOW + timedelta(hours=4, minutes=2), 4, request_id=249,
    customer="Fargo",
)  # fmt: skip


def row(**changes) -> EscalationRow:
    fields = {
        "id": 32,
        "request_id": 249,
        "customer": "Fargo",
        "destination": "technical",
        "assignee": "grace",
        "reason": "db timeout",
        "technical_priority": None,
        "opened_at": NOW,
        "version": 4,
    }
    return EscalationRow(**(fields | changes))


def again(applies=lambda _row: True) -> Again:
    return Again("escalation", {32: 3}, lambda _rows: None, applies)


def words(conflict: Conflict, retry: Again | None) -> str:
    return conflict_text(conflict, retry, NAMES, CHICAGO, NOW + timedelta(hours=5))


def test_the_row_now_in_desk_words_with_its_technical_position() -> None:
    conflict = Conflict(ERROR, {32: row(technical_priority=2)}, [32])
    assert words(conflict, again()) == (
        "Request #249 (Fargo) was changed by Rosa Hernandez at 14:02 CT: now assigned to "
        "Grace Patel, Technical, position 2, reason 'db timeout'"
    )
    assert [r.id for r in conflict.retry_rows(again())] == [32]
    assert retry_hint(conflict.retry_rows(again())) == (
        "r: choose again for #249 on the new version"
    )


def test_a_closed_row_or_one_the_key_no_longer_fits_gets_no_retry() -> None:
    closed = Conflict(ERROR, {}, [32])
    assert words(closed, again()).endswith("14:02 CT: it is no longer open")
    assert closed.retry_rows(again()) == []
    moved = Conflict(ERROR, {32: row(destination="customer-care")}, [32])
    technical_only = again(lambda r: r.destination == "technical")
    assert words(moved, technical_only).endswith(
        "Customer Care, reason 'db timeout' (nothing to do)"
    )
    assert moved.retry_rows(technical_only) == []


def test_a_failed_read_still_says_who_and_when_and_offers_no_retry() -> None:
    conflict = Conflict(ERROR, None, [32])
    assert words(conflict, again()) == (
        "Request #249 (Fargo) was changed by Rosa Hernandez at 14:02 CT; "
        "what it is now could not be read"
    )
    assert conflict.retry_rows(again()) == []


def test_unknown_names_and_hostile_text_stay_one_line_each() -> None:
    error = ConflictError("escalation", 32, "zed", None, 4, request_id=249, customer="Far\ngo")
    conflict = Conflict(error, {32: row(customer="Far\ngo", reason="a\nb", assignee="zed")}, [32])
    assert words(conflict, again()) == (
        "Request #249 (Far go) was changed by zed: now assigned to zed, Technical, reason 'a b'"
    )

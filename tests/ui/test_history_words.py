"""The history in the desk's words (issue 18) and relative times on the console's clock:
pure functions, no screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.store.board_rows import HistoryEntry
from console.ui.format import relative
from console.ui.history_words import Names, event_words, history_lines

NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")
NAMES = Names({"rosa": "Rosa Hernandez", "grace": "Grace Patel"}, {4: "Grace Patel"})


@pytest.mark.parametrize(
    ("ago", "words"),
    [
        (timedelta(seconds=30), "just now"),
        (timedelta(minutes=5), "5 min ago"),
        (timedelta(minutes=59, seconds=59), "59 min ago"),
        (timedelta(hours=3, minutes=50), "3 h ago"),
        (timedelta(hours=47), "47 h ago"),
        (timedelta(days=3, hours=2), "3 days ago"),
        (-timedelta(minutes=20), "in 20 min"),
    ],
)
def test_relative(ago: timedelta, words: str) -> None:
    assert relative(NOW - ago, NOW) == words


def _event(kind: str, after: dict, before: dict | None = None, actor: str = "rosa") -> HistoryEntry:
    return HistoryEntry(1, NOW - timedelta(hours=3), actor, kind, "request", 9, before, after)


def test_an_assignment_reads_as_a_sentence_with_names() -> None:
    event = _event("request.assigned", {"assignee_id": 4}, {"assignee_id": None})
    assert history_lines((event,), NAMES, CHICAGO, NOW) == [
        ("07:00", "assigned to Grace Patel by Rosa Hernandez, 3 h ago")
    ]


@pytest.mark.parametrize(
    ("kind", "after", "words"),
    [
        ("request.logged", {"channel": "email"}, "logged as an e-mail by Rosa Hernandez"),
        (
            "request.logged",
            {"channel": "call", "emergency": True},
            "logged as an emergency (a call) by Rosa Hernandez",
        ),
        (
            "request.noted",
            {"note": "Call back after 2"},
            "note by Rosa Hernandez: Call back after 2",
        ),
        ("request.resolved", {}, "resolved by Rosa Hernandez"),
        (
            "escalation.opened",
            {"destination": "technical", "reason": "db timeout"},
            "escalated to Technical by Rosa Hernandez: db timeout",
        ),
        (
            "request.emergency-verified",
            {"verified_with": {"name": "Mayor Quimby"}},
            "emergency verified with Mayor Quimby by Rosa Hernandez",
        ),
        ("request.strange-new-kind", {}, "request.strange-new-kind by Rosa Hernandez"),
    ],
)
def test_kinds(kind: str, after: dict, words: str) -> None:
    assert event_words(_event(kind, after), NAMES, CHICAGO) == words


def test_text_from_the_database_is_inert() -> None:
    event = _event("request.noted", {"note": "\x1b[2J [bold]x[/]\nline two"})
    words = event_words(event, NAMES, CHICAGO)
    assert "\x1b" not in words and "\n" not in words and "[bold]x[/]" in words

"""The wording of the desk's mail, and that intake reads back what it writes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from console.domain.mail_out import ack_body, is_ack, reply_subject, token
from console.mail.parsing.message import SUBJECT_TOKEN

CHICAGO = ZoneInfo("America/Chicago")


def test_reply_subject_has_one_token_and_one_re() -> None:
    assert reply_subject(42, "RE: Aw: printer [SB#42]") == "Re: printer [SB#42]"
    assert reply_subject(7, "  ") == "Re: your request [SB#7]"
    assert SUBJECT_TOKEN.search(reply_subject(42, "x")).group(1) == "42"
    assert token(3) == "[SB#3]"


def test_acknowledgement_says_the_number_and_the_due_time_in_the_desk_zone() -> None:
    due = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    text = ack_body(42, "Portal  down", due, CHICAGO)
    assert "number 42:\n  Portal down\n" in text
    assert "by Thursday 03 December 2026, 13:00 (CST)" in text
    assert "as soon as the desk is open" in ack_body(42, "x", None, CHICAGO)


def test_ack_is_the_first_word_only() -> None:
    assert is_ack("ack") and is_ack("  ACK, on my way") and is_ack("Ack\n> quoted")
    assert not is_ack("acknowledged") and not is_ack("I will ack later") and not is_ack("")

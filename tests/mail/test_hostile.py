"""Hostile input: any bytes, and every fixture mutated, always give an answer.

`read_message` must return `Incoming` or `Unreadable` for anything an MTA can hand it,
and what it returns must be safe to store and to show: no control characters but newline
and tab in the text, none at all in one-line fields, times aware and never after the
fallback. Hypothesis draws the bytes; the examples are kept small so the folder stays fast.
"""

from __future__ import annotations

import re
from datetime import UTC

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.mail.parsing import Incoming, Unreadable, read_message
from console.mail.parsing.html_text import html_to_text
from console.text import OBEYED

from .conftest import FALLBACK, MESSAGES

FIXTURES = sorted(path.read_bytes() for path in MESSAGES.glob("*.eml"))
#: Allowed in multi-line text: tab and newline; nothing else a terminal would obey.
UNSAFE_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{OBEYED}]")
UNSAFE_IN_LINE = re.compile(f"[\x00-\x1f{OBEYED}]")


def check(raw: bytes) -> None:
    result = read_message(raw, received_fallback=FALLBACK, attachment_limit=4096)
    assert isinstance(result, Incoming | Unreadable)
    if isinstance(result, Unreadable):
        assert result.raw == raw and result.reason and "\n" not in result.reason
        return
    assert not UNSAFE_IN_TEXT.search(result.text)
    for line in (result.subject, result.sender.address, result.sender.name):
        assert not UNSAFE_IN_LINE.search(line)
    assert "@" in result.sender.address
    for key in (result.message_id, result.in_reply_to or "<x>", *result.references):
        assert key.isascii() and key.isprintable() and " " not in key
    assert result.received_at.tzinfo == UTC and result.received_at <= FALLBACK
    for attachment in result.attachments:
        assert not UNSAFE_IN_LINE.search(attachment.filename)
        assert "/" not in attachment.filename and "\\" not in attachment.filename
        assert attachment.refused == (attachment.size > 4096)
        assert len(attachment.data) == (0 if attachment.refused else attachment.size)
    if result.voicemail is not None:
        assert result.voicemail.left_at <= result.received_at
        assert (result.voicemail.caller_number or "0").isdigit()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


HEADERISH = st.sampled_from(
    [
        b"From: ",
        b"Subject: =?utf-8?b?",
        b"=?",
        b"?=",
        b"\r\n",
        b"\n\n",
        b"--",
        b"boundary=",
        b"Content-Type: multipart/mixed; boundary=x\n",
        b"Content-Transfer-Encoding: base64\n",
        b"charset=",
        b"\x00",
        b"\x1b[2J",
        b"\xe2\x80\xae",
        b"\xff",
        b"<",
        b">",
        b'"',
        b";",
        b":",
        b"X-Asterisk-VM-Orig-time: 99999999999999\n",
        b"Received: x; Mon, 1 Jan 9999 00:00:00\n",
        b"filename*=x''%",
        b"<script>",
        b"&#0;",
        b"Thread-Index: ////\n",
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A fixture with a few bytes flipped, cut, repeated or replaced by mail syntax."""
    data = bytearray(draw(st.sampled_from(FIXTURES)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "cut", "repeat"]))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(HEADERISH | st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "cut":
            del data[at:]
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
    return bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_fixtures(raw: bytes) -> None:
    check(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>/!-?[]&#;x=\"' \n\tabcé\x00\x1b"), max_size=300))
def test_html_to_text_never_raises_and_is_clean(markup: str) -> None:
    text = html_to_text(markup)
    assert not UNSAFE_IN_TEXT.search(text)


def test_every_fixture_is_readable() -> None:
    for raw in FIXTURES:
        result = read_message(raw, received_fallback=FALLBACK)
        assert isinstance(result, Incoming), result
        check(raw)

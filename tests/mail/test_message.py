"""Real-shaped messages read into the fields intake will decide by."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
from datetime import UTC, datetime

import pytest

from console.mail.parsing import Incoming, Sender, Unreadable

from .conftest import FALLBACK, raw, read, read_bytes


def test_multipart_alternative_prefers_the_plain_part() -> None:
    mail = read("multipart_alternative.eml")
    assert mail.message_id == "<CAF9x8q1+agenda@mail.springfield.example>"
    assert mail.sender == Sender("clerk@springfield.example", "Town Clerk")
    assert mail.subject == "Agenda PDF will not upload"
    assert mail.text == (
        "Hello,\n\nThe agenda for Monday’s meeting will not upload: the page says "
        "“file too large”.\n\nThanks,\nPat"
    )
    assert "<" not in mail.text  # the HTML alternative was not used
    assert mail.attachments == ()
    assert mail.auto is None and mail.voicemail is None


def test_html_only_becomes_readable_text_without_markup_or_script() -> None:
    text = read("html_only.eml").text
    assert text == (
        "Broken form\n\n"
        "Our permit request form shows an error & loses the data <again>.\n\n"
        "- Open the form\n- Press Submit\n\n"
        "See the form <https://springfield.example/permits> or this.\n\n"
        "[Springfield logo]\n\n"
        "Ticket none yet\n\n"
        "Café €5 — thanks"
    )
    for hidden in ("document.cookie", "evil.example", "font-family", "javascript", "onclick"):
        assert hidden not in text


def test_base64_and_quoted_printable_bodies_are_decoded() -> None:
    assert read("base64_body.eml").text == (
        "Since this morning the editor says “password expired” – résumé of steps:\n"
        "1. log in\n2. error"
    )
    assert read("quoted_printable.eml").text == (
        "The footer still shows the old address on every page of the site, it should read "
        '"12 Main St., Café Building" — can you fix it?'
    )


@pytest.mark.parametrize(
    ("name", "sender", "subject"),
    [
        (
            "rfc2047_utf8.eml",
            Sender("jose.mueller@capital-city.example", "José Müller"),
            "Straßenlaternen defekt – bitte prüfen",
        ),
        (
            "rfc2047_latin1.eml",
            Sender("flevesque@brockway.example", "François Lévêque"),
            "Réunion du conseil à 17h",
        ),
    ],
)
def test_rfc2047_names_and_subjects_are_decoded(name: str, sender: Sender, subject: str) -> None:
    mail = read(name)
    assert mail.sender == sender
    assert mail.subject == subject


def test_latin1_body_with_windows_1252_bytes_reads_the_euro_sign() -> None:
    assert read("latin1_body.eml").text == (
        "The café permit fee shows as € 45 instead of $45 (naïve conversion?).\n"
        "Señor García asked too."
    )


def test_windows_1252_smart_quotes_dash_and_ellipsis() -> None:
    assert read("windows1252_body.eml").text == (
        "The page title says “Welcome” and the fee is €100 – it’s wrong…"
    )


def test_outlook_reply_carries_every_threading_key() -> None:
    mail = read("outlook_reply.eml")
    assert mail.subject == "RE: [SB#123] Website calendar not updating"
    assert mail.subject_token == 123
    assert mail.in_reply_to == "<sb-123-ack.1764590000@switchboard.example>"
    assert mail.references == ("<sb-123-ack.1764590000@switchboard.example>",)
    # 1 reserved byte, 5 of FILETIME, 16 of GUID; the 5-byte child block is not part of it
    assert mail.thread_index == "01dc63f1a2b38f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert mail.sender == Sender("dmiller@springfield.example", "Miller, Dana")
    assert mail.text.startswith("It is still not updating after the fix")
    assert "-----Original Message-----" in mail.text  # quoted history kept as text
    assert mail.received_at == datetime(2026, 12, 1, 15, 20, 31, tzinfo=UTC)


def test_apple_mail_reply_references_in_order() -> None:
    mail = read("apple_mail_reply.eml")
    assert mail.message_id == "<6C1A2B3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D@shelbyville.example>"
    assert mail.in_reply_to == "<sb-77-reply.1764600000@switchboard.example>"
    assert mail.references == (
        "<sb-77-new.1764500000@switchboard.example>",
        "<sb-77-reply.1764600000@switchboard.example>",
    )
    assert mail.subject_token == 77
    assert mail.thread_index is None
    assert mail.text.endswith(
        "> On 1 Dec 2026, at 09:14, Help Desk <help@switchboard.example> "
        "wrote:\n>\n> The banner is published."
    )


def test_winmail_dat_is_kept_as_an_attachment() -> None:
    mail = read("winmail_dat.eml")
    assert mail.text == "Please publish the attached budget."
    (tnef,) = mail.attachments
    assert (tnef.filename, tnef.content_type, tnef.refused) == (
        "winmail.dat",
        "application/ms-tnef",
        False,
    )
    assert tnef.data.startswith(b"\x78\x9f\x3e\x22")  # the TNEF signature
    assert tnef.size == len(tnef.data) == 1035
    assert tnef.sha256 == hashlib.sha256(tnef.data).hexdigest()


def test_malformed_headers_still_give_a_message() -> None:
    mail = read("malformed_header.eml")
    assert mail.sender.address == "alice@example.com"
    assert mail.message_id == "<malformed.1@example.com>"
    assert mail.subject == "=?utf-8?q?unterminated_encoded_word"  # kept as written
    assert mail.text == "The body is fine though."


def test_no_message_id_gives_a_stable_content_hash() -> None:
    data = raw("no_message_id.eml")
    first, again = read("no_message_id.eml"), read_bytes(data)
    assert first.message_id.startswith("sha256:") and len(first.message_id) == 71
    assert isinstance(again, Incoming) and again.message_id == first.message_id
    changed = read_bytes(data.replace(b"at all.", b"at all!"))
    assert isinstance(changed, Incoming) and changed.message_id != first.message_id


def test_the_hash_ignores_the_route_a_message_took() -> None:
    """The same mail piped by the MTA (CRLF, its own Received and Return-Path) and
    fetched by IMAP (LF, another Received) is one duplicate key."""
    data = raw("no_message_id.eml")
    piped = (
        b"Return-Path: <klee@ogdenville.example>\r\n"
        b"Received: from mx1 by mail.switchboard.example; Tue, 1 Dec 2026 18:00:02 +0000\r\n"
        + data.replace(b"\n", b"\r\n")
    )
    fetched = b"Received: from imap by box; Tue, 1 Dec 2026 18:00:09 +0000\n" + data
    keys = {m.message_id for m in (read_bytes(piped), read_bytes(fetched))}  # type: ignore[union-attr]
    assert keys == {read("no_message_id.eml").message_id}


def test_received_at_is_the_topmost_received_header_never_the_date_header() -> None:
    mail = read("future_date.eml")  # Date: 2038; our MX received it 2026-12-01 15:04:05
    assert mail.received_at == datetime(2026, 12, 1, 15, 4, 5, tzinfo=UTC)


def test_received_at_is_never_after_the_fallback() -> None:
    earlier = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert read("future_date.eml", received_fallback=earlier).received_at == earlier


def test_received_at_without_a_received_header_is_the_fallback() -> None:
    assert read("no_message_id.eml").received_at == FALLBACK
    berlin = datetime(2026, 12, 2, 1, 0).astimezone()  # any aware zone comes back as UTC
    assert read("no_message_id.eml", received_fallback=berlin).received_at.tzinfo == UTC


def test_a_naive_fallback_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        read("no_message_id.eml", received_fallback=datetime(2026, 12, 2))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty message"),
        (b" \r\n\r\n ", "empty message"),
        (b"\x00\x01\x02 just some binary \xff\xfe", "no header fields: not an RFC 5322 message"),
        (b"Subject: hello\n\nno sender at all\n", "no sender address in From"),
        (b"From: undisclosed-recipients:;\n\nbody\n", "no sender address in From"),
    ],
)
def test_what_cannot_be_read_is_unreadable_and_kept_whole(data: bytes, reason: str) -> None:
    result = read_bytes(data)
    assert result == Unreadable(reason, data)


def test_subject_is_one_line_without_controls() -> None:
    data = (
        b"From: a@b.example\nSubject: =?utf-8?b?"
        + base64.b64encode("line one\r\nline\ttwo \x1b[31mred\x07 \u202egnp.exe".encode())
        + b"?=\n\nbody\n"
    )
    mail = read_bytes(data)
    assert isinstance(mail, Incoming)
    assert mail.subject == "line one line two [31mred gnp.exe"


def test_body_controls_are_removed_but_newlines_and_tabs_kept() -> None:
    data = (
        b"From: a@b.example\nSubject: x\n\ncol1\tcol2\r\nbell\x07 esc\x1b[2J nul\x00 del\x7f end\n"
    )
    mail = read_bytes(data)
    assert isinstance(mail, Incoming)
    assert mail.text == "col1\tcol2\nbell esc[2J nul del end"


def test_unknown_and_wrong_charsets_decode_with_replacement() -> None:
    def body(charset: bytes, payload: bytes) -> str:
        data = (
            b"From: a@b.example\nContent-Type: text/plain; charset=" + charset + b"\n\n" + payload
        )
        mail = read_bytes(data)
        assert isinstance(mail, Incoming)
        return mail.text

    assert body(b"x-no-such-charset", "café".encode()) == "café"  # valid UTF-8 is kept
    assert body(b"x-no-such-charset", b"caf\xe9") == "café"  # else Windows-1252
    assert body(b"utf-8", b"caf\xe9 ok") == "caf\ufffd ok"  # wrong label: replacement
    assert body(b"base64", b"Y2Fm") == "Y2Fm"  # a codec that is not text is not used
    assert body(b"us-ascii", b"\x93hi\x94") == "“hi”"


def test_thread_index_that_is_not_base64_or_too_short_is_none() -> None:
    for value in (b"not base64 !!", b"AQID"):
        mail = read_bytes(b"From: a@b.example\nThread-Index: " + value + b"\n\nx\n")
        assert isinstance(mail, Incoming) and mail.thread_index is None


def test_subject_token_anywhere_in_the_subject() -> None:
    mail = read_bytes(b"From: a@b.example\nSubject: Fwd: RE: Re: [sb#4711] lights\n\nx\n")
    assert isinstance(mail, Incoming) and mail.subject_token == 4711
    plain = read_bytes(b"From: a@b.example\nSubject: SB#12 without brackets\n\nx\n")
    assert isinstance(plain, Incoming) and plain.subject_token is None


def test_a_from_header_the_modern_policy_raises_on_is_read_the_old_way() -> None:
    data = b"From: Alice <alice@example.com>, <\nSubject: hi\n\nx\n"
    modern = email.message_from_bytes(data, policy=email.policy.default)
    with pytest.raises(IndexError):  # the standard library's own failure, caught by us
        modern["From"].addresses  # noqa: B018
    mail = read_bytes(data)
    assert isinstance(mail, Incoming)
    assert mail.sender == Sender("alice@example.com", "Alice")

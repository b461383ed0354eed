"""Mail written by machines is recognised, with the reason, and people's mail is not."""

from __future__ import annotations

import pytest

from console.mail.parsing import OUTGOING_HEADER, Incoming

from .conftest import raw, read, read_bytes


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto_submitted.eml", "Auto-Submitted: auto-replied"),
        ("precedence_bulk.eml", "Precedence: bulk"),
        ("precedence_junk.eml", "Precedence: junk"),
        ("precedence_list.eml", "Precedence: list"),
        ("list_id.eml", "mailing list (List-Id with Precedence: first-class)"),
        ("x_autoreply.eml", "X-Autoreply header"),
        ("x_autorespond.eml", "X-Autorespond header"),
        ("own_outgoing.eml", "our own mail (X-Switchboard-Outgoing)"),
        ("vacation_outlook.eml", "vacation reply (subject)"),
        ("null_sender.eml", "null sender (Return-Path: <>)"),
        ("delivery_status.eml", "Auto-Submitted: auto-replied"),
    ],
)
def test_each_kind_of_automatic_mail(name: str, reason: str) -> None:
    assert read(name).auto == reason


@pytest.mark.parametrize(
    "name",
    [
        "auto_submitted_no.eml",
        "multipart_alternative.eml",
        "outlook_reply.eml",
        "apple_mail_reply.eml",
        "asterisk_voicemail.eml",
    ],
)
def test_people_and_voicemail_are_not_automatic(name: str) -> None:
    assert read(name).auto is None


def test_delivery_status_report_without_other_hints() -> None:
    data = read_raw_without("delivery_status.eml", (b"Auto-Submitted:", b"Return-Path:")).replace(
        b"MAILER-DAEMON@", b"relay@"
    )
    mail = read_bytes(data)
    assert isinstance(mail, Incoming)
    assert mail.auto == "delivery status report (multipart/report; report-type=delivery-status)"
    assert mail.text.startswith("I'm sorry to have to inform you")
    assert [a.content_type for a in mail.attachments] == [
        "message/delivery-status",
        "text/rfc822-headers",
    ]


def test_read_receipt_is_an_automatic_report() -> None:
    data = (
        b"From: clerk@town.example\nSubject: Read: agenda\n"
        b"Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n"
        b"--b\nContent-Type: text/plain\n\nYour message was read.\n--b--\n"
    )
    mail = read_bytes(data)
    assert isinstance(mail, Incoming)
    assert mail.auto == "automatic report (multipart/report; report-type=disposition-notification)"


def test_mailer_daemon_sender() -> None:
    mail = read_bytes(b"From: Mailer-Daemon@mx.town.example\nSubject: failure\n\nbounced\n")
    assert isinstance(mail, Incoming) and mail.auto == "sent by mailer-daemon"


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: back Monday",
        "AutoReply: received",
        "Automatische Antwort: Urlaub",
        "Réponse automatique : absent",
    ],
)
def test_vacation_subjects(subject: str) -> None:
    mail = read_bytes(f"From: a@b.example\nSubject: {subject}\n\nx\n".encode())
    assert isinstance(mail, Incoming) and mail.auto == "vacation reply (subject)"


@pytest.mark.parametrize(
    "subject",
    [
        "Auto: renewal of the parks page",
        "Vacation: schedule page",
        "Re: automatic reply broken",
        "Question about out of office hours",
    ],
)
def test_subjects_that_only_look_automatic(subject: str) -> None:
    mail = read_bytes(f"From: a@b.example\nSubject: {subject}\n\nx\n".encode())
    assert isinstance(mail, Incoming) and mail.auto is None


def test_our_outgoing_header_wins_whatever_its_value() -> None:
    mail = read_bytes(f"From: a@b.example\n{OUTGOING_HEADER}: yes\n\nx\n".encode())
    assert isinstance(mail, Incoming) and mail.auto == f"our own mail ({OUTGOING_HEADER})"


def read_raw_without(name: str, prefixes: tuple[bytes, ...]) -> bytes:
    lines = raw(name).split(b"\n")
    return b"\n".join(line for line in lines if not line.startswith(prefixes))

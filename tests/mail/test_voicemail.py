"""Asterisk voicemail-to-email read as a voicemail, and phone numbers made comparable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.mail.parsing import Incoming, normalise_phone

from .conftest import FALLBACK, raw, read, read_bytes


def test_asterisk_voicemail_with_the_full_header_set() -> None:
    mail = read("asterisk_voicemail.eml")
    voicemail = mail.voicemail
    assert voicemail is not None
    assert voicemail.caller_number == "5550100199"  # "+1 (555) 010-0199"
    assert voicemail.caller_name == "SPRINGFLD WATER"
    assert voicemail.left_at == datetime(2026, 12, 1, 14, 30, 12, tzinfo=UTC)  # Orig-time
    assert voicemail.duration == timedelta(seconds=42)
    assert voicemail.mailbox == "200"
    recording = voicemail.recording
    assert recording is not None and recording in mail.attachments
    assert (recording.filename, recording.content_type) == ("msg0000.wav", "audio/x-wav")
    assert recording.data[:4] == b"RIFF" and recording.data[8:12] == b"WAVE"
    assert recording.size == 1644
    assert mail.received_at == datetime(2026, 12, 1, 14, 30, 14, tzinfo=UTC)
    assert mail.auto is None


def test_plain_voicemail_to_email_has_only_the_caller_id_headers() -> None:
    """Asterisk's sendmail path writes X-Asterisk-CallerID(Name) but no X-Asterisk-VM-*:
    the duration comes from the built-in body, the mailbox from the Message-ID."""
    mail = read("asterisk_voicemail_plain.eml")
    voicemail = mail.voicemail
    assert voicemail is not None
    assert (voicemail.caller_number, voicemail.caller_name) == ("5550100142", "PARKS DEPT")
    assert voicemail.duration == timedelta(seconds=37)
    assert voicemail.mailbox == "200"
    assert voicemail.left_at == mail.received_at == FALLBACK  # no Orig-time, no Received
    assert voicemail.recording is not None and voicemail.recording.filename == "msg0002.wav"


def test_ordinary_mail_is_not_a_voicemail() -> None:
    assert read("multipart_alternative.eml").voicemail is None


@pytest.mark.parametrize(
    ("orig_time", "expected"),
    [
        (b"1796135412", datetime(2026, 12, 1, 14, 30, 12, tzinfo=UTC)),
        (b"Tue, 01 Dec 2026 08:30:12 -0600", datetime(2026, 12, 1, 14, 30, 12, tzinfo=UTC)),
        (b"Tuesday, December 01, 2026 at 08:30:12 AM", FALLBACK),  # locale text: unusable
        (b"99999999999999999999", FALLBACK),  # beyond any calendar
        (b"1956528000", FALLBACK),  # 2032: after the message reached us
        (b"", FALLBACK),
    ],
)
def test_left_at_from_orig_time(orig_time: bytes, expected: datetime) -> None:
    data = raw("asterisk_voicemail.eml").replace(
        b"X-Asterisk-VM-Orig-time: 1796135412", b"X-Asterisk-VM-Orig-time: " + orig_time
    )
    data = data.split(b"\r\n", 3)[3]  # without our Received header: the fallback stands
    mail = read_bytes(data)
    assert isinstance(mail, Incoming) and mail.voicemail is not None
    assert mail.voicemail.left_at == expected


def test_unknown_caller_has_no_number_and_no_name() -> None:
    data = (
        b"From: asterisk@pbx.example\nX-Asterisk-VM-Caller-ID-Num: unknown\n"
        b"X-Asterisk-VM-Caller-ID-Name: Unknown\nX-Asterisk-VM-Duration: lots\n\nbody\n"
    )
    mail = read_bytes(data)
    assert isinstance(mail, Incoming) and mail.voicemail is not None
    assert mail.voicemail.caller_number is None
    assert mail.voicemail.caller_name is None
    assert mail.voicemail.duration is None
    assert mail.voicemail.recording is None


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("+1 (555) 010-0199", "5550100199"),
        ("1-555-010-0199", "5550100199"),
        ("555.010.0199", "5550100199"),
        ("(555) 010-0199 x12", "5550100199"),
        ("555-010-0199 ext. 7", "5550100199"),
        ("tel:+1-555-010-0199;ext=7", "5550100199"),
        ("sip:15550100199@pbx.example", "5550100199"),
        ("+44 20 7946 0958", "442079460958"),  # not NANP: every digit kept
        ("15550100", "15550100"),  # a leading 1 is dropped only from 11 digits
        ("0100199", "0100199"),
        ("anonymous", ""),
        ("", ""),
    ],
)
def test_normalise_phone(text: str, digits: str) -> None:
    assert normalise_phone(text) == digits

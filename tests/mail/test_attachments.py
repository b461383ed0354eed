"""Attachments: the size limit refuses without dropping, and names are made safe."""

from __future__ import annotations

import base64
import hashlib

import pytest

from console.mail.parsing import DEFAULT_ATTACHMENT_LIMIT, Incoming

from .conftest import read_bytes


def with_attachment(payload: bytes, filename: str = "minutes.pdf") -> bytes:
    encoded = base64.encodebytes(payload)  # 76-character lines, as a mail client writes
    return (
        b"From: clerk@town.example\nSubject: big file\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nSee attached.\n"
        b"--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
        b'Content-Disposition: attachment; filename="'
        + filename.encode()
        + b'"\n\n'
        + encoded
        + b"--b--\n"
    )


def test_a_30_mb_attachment_is_refused_with_its_size_not_dropped() -> None:
    payload = bytes(range(256)) * (30 * 1024 * 1024 // 256)
    mail = read_bytes(with_attachment(payload))
    assert isinstance(mail, Incoming)
    (pdf,) = mail.attachments
    assert pdf.refused and pdf.data == b""
    assert pdf.size == 30 * 1024 * 1024 > DEFAULT_ATTACHMENT_LIMIT
    assert pdf.sha256 == hashlib.sha256(payload).hexdigest()
    assert (pdf.filename, pdf.content_type) == ("minutes.pdf", "application/pdf")
    assert mail.text == "See attached."


def test_the_limit_is_the_callers() -> None:
    payload = b"%PDF-1.7 " * 200  # 1,800 bytes
    refused = read_bytes(with_attachment(payload), attachment_limit=1799)
    kept = read_bytes(with_attachment(payload), attachment_limit=1800)
    assert isinstance(refused, Incoming) and isinstance(kept, Incoming)
    assert refused.attachments[0].refused and refused.attachments[0].size == 1800
    assert not kept.attachments[0].refused and kept.attachments[0].data == payload


@pytest.mark.parametrize(
    ("filename", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\\\Users\\\\dana\\\\budget.xlsx", "budget.xlsx"),  # escaped in the quotes
        ("\x1b[31mred\x07.txt", "[31mred.txt"),
        ("=?UTF-8?Q?Stra=C3=9Fe_=E2=80=93_Plan.pdf?=", "Straße – Plan.pdf"),
        ("what?*<>|.doc", "what_____.doc"),
        (".htaccess", "htaccess"),
        ("CON.txt", "_CON.txt"),
        ("....", "attachment-1.pdf"),
        ("gnp.\u202eexe", "gnp.exe"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_filenames_are_decoded_and_made_safe(filename: str, safe: str) -> None:
    mail = read_bytes(with_attachment(b"x", filename=filename))
    assert isinstance(mail, Incoming)
    assert mail.attachments[0].filename == safe


def test_rfc2231_filename_in_latin1() -> None:
    data = with_attachment(b"x").replace(
        b'filename="minutes.pdf"', b"filename*=iso-8859-1''R%E9sum%E9.pdf"
    )
    mail = read_bytes(data)
    assert isinstance(mail, Incoming) and mail.attachments[0].filename == "Résumé.pdf"


def test_forwarded_message_is_an_attachment_not_the_body() -> None:
    data = (
        b"From: clerk@town.example\nSubject: Fwd: complaint\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nSee the complaint below.\n"
        b"--b\nContent-Type: message/rfc822\n\n"
        b"From: angry@resident.example\nSubject: potholes\n\nFix them.\n"
        b"--b--\n"
    )
    mail = read_bytes(data)
    assert isinstance(mail, Incoming)
    assert mail.text == "See the complaint below."
    (forwarded,) = mail.attachments
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.filename == "attachment-1.eml"
    assert b"Fix them." in forwarded.data

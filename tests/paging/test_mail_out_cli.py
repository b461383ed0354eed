"""Mail out from the command line: `intake pipe` files a contact's mail (acknowledged),
`ticket reply ID --body-file F` answers it, `pager --once` sends the whole outbox to a
real SMTP server, and the answers come back through `intake pipe`."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from console.clock import SystemClock
from console.store import commands
from console.store.db import Database
from tests.paging.conftest import run
from tests.paging.servers import SmtpSink

DANA = "dana@springfield.example"


@pytest.fixture
def cli_desk(cli_desk: Database) -> Database:
    """The command line's desk (tests/paging/conftest.py), with Dana as a contact."""
    with cli_desk.session() as s:
        commands.add_contact(
            s, "lena", SystemClock().now(), customer="Springfield", name="Dana", email=DANA
        )
    return cli_desk


def pipe(capsys, monkeypatch: pytest.MonkeyPatch, data: bytes) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    return run(capsys, "intake", "pipe")


def mail(subject: str, mid: str, *extra: str) -> bytes:
    head = [f"From: {DANA}", "To: help@x.test", f"Subject: {subject}", f"Message-ID: {mid}"]
    return "\r\n".join([*head, *extra, "", "The map layer is empty.", ""]).encode()


def test_reply_by_mail_from_the_command_line_and_back(
    cli_desk: Database, capsys, monkeypatch, smtp: SmtpSink, tmp_path: Path
) -> None:
    code, out, err = pipe(capsys, monkeypatch, mail("GIS map empty", "<m1@springfield.example>"))
    assert code == 0 and out.startswith("new: new request "), err
    rid = out.split("new request ")[1].split()[0].rstrip(":,")
    code, out, err = run(capsys, "pager", "--once")
    assert out.startswith("escalated 0, handoffs 0, sent 1,"), err
    [ack] = smtp.messages
    assert ack["Auto-Submitted"] == "auto-replied" and f"[SB#{rid}]" in ack["Subject"]

    body = tmp_path / "reply.txt"
    body.write_text("Hello Dana,\nthe layer is back.\n", encoding="utf-8")
    code, out, err = run(capsys, "ticket", "reply", rid, "--body-file", str(body), "--as", "ari")
    assert (code, out) == (
        0,
        f"request {rid}: reply 1 mailed to {DANA} and shown on the portal; "
        "first response, the clock stopped\n",
    ), err
    code, out, err = run(capsys, "pager", "--once")
    assert out.startswith("escalated 0, handoffs 0, sent 1,"), err
    reply = smtp.messages[1]
    assert reply["In-Reply-To"] == "<m1@springfield.example>"
    assert "the layer is back." in reply.get_content()

    # Dana answers our reply: it joins the request; our acknowledgement echoed is ignored.
    answer = mail("Re: x", "<m2@springfield.example>", f"In-Reply-To: {reply['Message-ID']}")
    code, out, _ = pipe(capsys, monkeypatch, answer)
    assert out == f"reply: reply to request {rid}\n"
    code, out, _ = pipe(capsys, monkeypatch, ack.as_bytes())
    assert out.startswith("ignored: automatic mail: ")
    code, out, _ = run(capsys, "pager", "--once")
    assert out.startswith("escalated 0, handoffs 0, sent 0,")  # nothing answered the echo


def test_reply_bad_input_is_one_line(cli_desk: Database, capsys, tmp_path: Path) -> None:
    body = tmp_path / "r.txt"
    body.write_bytes(b"\xff\xfe bad")
    cases = [
        (["ticket", "reply", "1", "--as", "ari"], "--message TEXT or --body-file F"),
        (
            ["ticket", "reply", "1", "--message", "x", "--body-file", str(body), "--as", "ari"],
            "one of them",
        ),
        (
            ["ticket", "reply", "1", "--body-file", str(tmp_path / "none"), "--as", "ari"],
            "cannot read",
        ),
        (["ticket", "reply", "1", "--body-file", str(body), "--as", "ari"], "not UTF-8"),
    ]
    for args, words in cases:
        code, out, err = run(capsys, *args)
        assert code != 0 and out == "" and words in err, (args, err)
        assert "Traceback" not in err

"""The demo pages too: its pager files pages in a local Maildir and `page list` shows them."""

from __future__ import annotations

import json
import mailbox
import os
from pathlib import Path

import pytest

from console.cli import main


def test_the_demo_desk_is_paged_into_a_local_mail_sink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    for name in list(os.environ):
        if name.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["demo", "seed"]) == 0
    sink = tmp_path / "mail"
    assert main(["pager", "--once", "--maildir", str(sink)]) == 0
    capsys.readouterr()
    assert main(["page", "list", "--json"]) == 0
    pages = json.loads(capsys.readouterr().out)
    sent = [p for p in pages if p["state"] == "sent"]
    assert sent and all(p["channel"] == "email" for p in sent)
    filed = list(mailbox.Maildir(sink, create=False))
    # The pager sends the whole outbox: the pages, and the customers' mail (issue 15).
    paged = [m for m in filed if m["X-Switchboard-Page"]]
    assert len(paged) == len(sent)
    assert all(m["To"].endswith("@demo.switchboard.test") for m in paged)
    for m in filed:
        if not m["X-Switchboard-Page"]:
            assert "[SB#" in m["Subject"] and m["X-Switchboard-Outgoing"]

"""`switchboard portal` serves the website on the given loopback port until stopped, and
`switchboard ticket reply` puts the desk's answer on the request's portal page."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from console.cli import main
from console.store.db import Database
from tests.web.conftest import sign_in


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_switchboard_portal_serves_until_stopped(portal_desk: Database) -> None:
    url = portal_desk.engine.url.render_as_string(hide_password=False)
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from console.cli import entry; entry()",
        "portal",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database",
        url,
    ]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5) as r:
                    body = r.read().decode()
                    headers = r.headers
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    err = server.stderr.read() if server.stderr else ""
                    pytest.fail(f"the portal did not answer: {err}")
                time.sleep(0.1)
        assert "Desk status" in body
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "server" not in {k.lower() for k in headers}
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            pytest.fail("the portal did not stop on SIGINT")
    assert "Traceback" not in (server.stderr.read() if server.stderr else "")


def test_a_desk_reply_from_the_cli_reaches_the_portal(
    app_client, portal_desk: Database, monkeypatch, capsys
) -> None:
    token = sign_in(app_client, "pat")
    app_client.post("/requests/new", data={"summary": "Help", "csrf_token": token})
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", portal_desk.engine.url.render_as_string(False))
    assert main(["ticket", "reply", "1", "--message", "On it <b>now</b>", "--as", "ari"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("request 1: reply 1 mailed to ") and "shown on the portal" in out
    page = app_client.get("/requests/1").text
    assert "On it &lt;b&gt;now&lt;/b&gt;" in page and "Ari, support desk" in page
    assert main(["ticket", "reply", "1", "--message", "a\x1bb", "--as", "ari"]) != 0
    assert "control character" in capsys.readouterr().err

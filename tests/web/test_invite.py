"""Invitations: `portal account add EMAIL --invite` mails a single-use link to choose the
first password; the round trip over HTTP through a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from console.cli import main
from console.clock import FrozenClock, SystemClock
from console.store import commands
from console.store.db import Database
from console.web.app import PortalConfig, make_app
from console.web.security import Passwords
from tests.conftest import NOW
from tests.paging.servers import SmtpSink
from tests.web.conftest import csrf_of, new_client
from tests.web.mailed import BASE_URL, link_in, mails_to, outbox_forgot, send_outbox
from tests.web.test_accounts import run

OTTO = "otto@shelbyville.gov"
CHOSEN = "otto's own passphrase"


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    yield sink
    sink.close()


@pytest.fixture
def otto_desk(portal_desk: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    with portal_desk.session() as s:
        commands.add_contact(s, "lena", NOW, customer="Shelbyville", name="Otto Clerk", email=OTTO)
    url = portal_desk.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", url)
    monkeypatch.setenv("SWITCHBOARD_PORTAL__BASE_URL", BASE_URL + "/")
    monkeypatch.delenv("SWITCHBOARD_USER", raising=False)
    return portal_desk


def signs_in(client: TestClient, password: str) -> bool:
    browser = new_client(client)
    page = browser.get("/login")
    answer = browser.post(
        "/login", data={"username": OTTO, "password": password, "csrf_token": csrf_of(page.text)}
    )
    return answer.status_code == 303


def test_invitation_round_trip(
    otto_desk: Database, passwords: Passwords, smtp: SmtpSink, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command line tells time by the system clock; the portal follows it here.
    clock = FrozenClock(SystemClock().now())
    app = make_app(otto_desk, clock, PortalConfig(base_url=BASE_URL), passwords)
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    # Otto asks on the sign-in page; the lead approves by invitation.
    page = client.get("/account/request")
    client.post("/account/request", data={"email": OTTO, "csrf_token": csrf_of(page.text)})
    assert main(["portal", "account", "asked"]) == 0
    assert OTTO in capsys.readouterr().out
    code, out, err = run(capsys, "portal", "account", "add", OTTO, "--invite", "--as", "lena")
    assert code == 0, err
    assert "invitation queued" in out
    assert main(["portal", "account", "asked"]) == 0
    assert OTTO not in capsys.readouterr().out
    assert not signs_in(client, "!invited") and not signs_in(client, "")
    send_outbox(otto_desk, SystemClock(), smtp)
    [body] = mails_to(smtp, OTTO)
    assert body.startswith("Hello Otto Clerk")
    link = link_in(body, "reset")
    assert outbox_forgot(otto_desk, link)  # sent: only the mail holds the token
    form = client.get(link)
    assert form.status_code == 200 and OTTO in form.text
    done = client.post(
        link,
        data={"password": CHOSEN, "password_confirm": CHOSEN, "csrf_token": csrf_of(form.text)},
    )
    assert done.status_code == 200, done.text
    assert signs_in(client, CHOSEN)
    assert client.get(link).status_code == 404  # once


def test_invite_and_a_password_is_one_line(otto_desk: Database, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(
        capsys,
        "portal",
        "account",
        "add",
        OTTO,
        "--invite",
        "--password-stdin",
        "--as",
        "lena",
        stdin="a long enough secret\n",
    )
    assert code != 0 and err.count("\n") == 1 and "not both" in err


def test_only_a_lead_invites(otto_desk: Database, smtp: SmtpSink, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "portal", "account", "add", OTTO, "--invite", "--as", "dora")
    assert code != 0 and err.count("\n") == 1
    send_outbox(otto_desk, SystemClock(), smtp)
    assert mails_to(smtp, OTTO) == []

"""Asking for an account from the sign-in page: one answer for everyone (nobody learns who
is a contact), recorded once per contact and day for a lead, throttled per address."""

from __future__ import annotations

import json

from sqlalchemy import select
from starlette.testclient import TestClient

from console.cli import main
from console.store.db import Database
from console.store.models import Event
from tests.web.conftest import csrf_of, new_client


def ask(client: TestClient, email: str) -> tuple[int, str]:
    page = client.get("/account/request")
    assert page.status_code == 200 and 'name="email"' in page.text
    answer = client.post(
        "/account/request", data={"email": email, "csrf_token": csrf_of(page.text)}
    )
    return answer.status_code, answer.text


def _said(html: str) -> str:
    start = html.index('<p class="notice"')
    return html[start : html.index("</p>", start)]


def test_the_same_answer_for_a_contact_and_a_stranger(
    app_client: TestClient, portal_desk: Database, monkeypatch, capsys
) -> None:
    from console.store import commands
    from tests.conftest import NOW

    with portal_desk.session() as session:
        commands.add_contact(
            session, "lena", NOW, customer="Springfield", name="Nell New", email="nell@spr.gov"
        )
    assert 'href="/account/request"' in app_client.get("/login").text
    contact = ask(app_client, "Nell@spr.gov")
    stranger = ask(new_client(app_client), "nobody@nowhere.gov")
    has_one = ask(new_client(app_client), "pat@springfield.gov")
    assert contact[0] == stranger[0] == has_one[0] == 200
    assert _said(contact[1]) == _said(stranger[1]) == _said(has_one[1])
    ask(new_client(app_client), "nell@spr.gov")  # asked again the same day: recorded once
    with portal_desk.reading() as session:
        asked = session.execute(
            select(Event.actor, Event.on_behalf_of).where(Event.kind == "portal-account.asked")
        ).all()
    assert asked == [("portal", "contact:7")]
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", portal_desk.engine.url.render_as_string(False))
    assert main(["portal", "account", "asked", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["email"], listed["contact"], listed["customer"]) == (
        "nell@spr.gov",
        "Nell New",
        "Springfield",
    )


def test_asking_is_throttled_and_checked(app_client: TestClient) -> None:
    code, html = ask(app_client, "")
    assert code == 400 and 'id="email-error"' in html
    for n in range(10):
        assert ask(new_client(app_client), f"x{n}@town.gov")[0] == 200
    code, html = ask(new_client(app_client), "late@town.gov")
    assert code == 429 and "Too many tries from this address" in html
    answer = new_client(app_client).post("/account/request", data={"email": "a@b.gov"})
    assert answer.status_code == 403

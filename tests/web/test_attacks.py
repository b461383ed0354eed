"""The portal from an attacker's side: other customers' requests, script in every field,
forged forms, and bad input of every kind. Each is refused with a clear message next to
the field (or an error page) and nothing is written."""

from __future__ import annotations

import socket
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from console.store import commands
from console.store.commands import portal as pc
from console.store.db import Database
from tests.conftest import NOW
from tests.web.conftest import PASSWORD, csrf_of, new_client, sign_in

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
]


@pytest.fixture
def filed(app_client: TestClient) -> str:
    """Pat (Springfield) filed request 1; returns Pat's CSRF token."""
    token = sign_in(app_client, "pat")
    answer = app_client.post("/requests/new", data={"summary": "Ours", "csrf_token": token})
    assert answer.status_code == 303
    return token


def test_another_customers_request_is_a_404_like_a_missing_one(
    app_client: TestClient, filed: str, portal_desk: Database, fingerprint_of
) -> None:
    sam = new_client(app_client)
    token = sign_in(sam, "sam")
    foreign = sam.get("/requests/1")
    missing = sam.get("/requests/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.text == missing.text and "Ours" not in foreign.text
    for path in ["/requests/0", "/requests/-1", "/requests/99999999999999999999", "/requests/1x"]:
        assert sam.get(path).status_code == 404
    before = fingerprint_of(portal_desk)
    answer = sam.post("/requests/1/reply", data={"message": "mine now", "csrf_token": token})
    assert answer.status_code == 404 and answer.text == missing.text
    assert fingerprint_of(portal_desk) == before
    assert "Ours" not in sam.get("/requests").text


@pytest.mark.parametrize("payload", PAYLOADS)
def test_stored_script_in_every_field_is_inert(
    app_client: TestClient, portal_desk: Database, payload: str
) -> None:
    token = sign_in(app_client, "dana")
    answer = app_client.post(
        "/requests/new", data={"summary": payload, "details": payload, "csrf_token": token}
    )
    assert answer.status_code == 303
    app_client.post("/requests/1/reply", data={"message": payload, "csrf_token": token})
    with portal_desk.session() as session:
        pc.desk_reply(session, "ari", NOW, request_id=1, body=payload)
    for path in ["/requests", "/requests/1"]:
        html = app_client.get(path).text
        assert payload not in html
        assert "&lt;" in html  # shown as text
    page = app_client.get("/requests/1").text
    assert page.count("&lt;") >= 4  # summary, details, reply, desk reply


def test_script_in_names_from_the_desk_is_inert(
    app_client: TestClient, portal_desk: Database, passwords
) -> None:
    payload = PAYLOADS[1]
    with portal_desk.session() as session:
        commands.add_customer(session, "lena", NOW, municipality=payload, liaison="ari")
        commands.add_contact(
            session, "lena", NOW, customer=payload, name=payload, email="x@evil.example"
        )
        pc.add_account(
            session, "lena", NOW, email="x@evil.example", password_hash=passwords.hash(PASSWORD)
        )
    page = app_client.get("/login")
    app_client.post(
        "/login",
        data={"username": "x@evil.example", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    html = app_client.get("/requests").text
    assert payload not in html and "&#34;&gt;&lt;img" in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_reflected_script_is_inert(app_client: TestClient, payload: str) -> None:
    page = app_client.get("/login")
    answer = app_client.post(
        "/login", data={"username": payload, "password": "x", "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 401 and payload not in answer.text
    token = sign_in(app_client, "pat")
    answer = app_client.post(
        "/requests/new", data={"summary": payload + "\x07", "details": payload, "csrf_token": token}
    )
    assert answer.status_code == 400 and payload not in answer.text
    assert app_client.get("/nowhere/" + quote(payload)).status_code == 404
    assert payload not in app_client.get("/nowhere/" + quote(payload)).text
    assert payload not in app_client.get("/login?signed_out=" + quote(payload)).text


@pytest.mark.parametrize("token", [None, "", "forged-token-value-0123456789", "other-session"])
def test_forms_without_their_csrf_token_are_refused(
    app_client: TestClient, portal_desk: Database, fingerprint_of, token: str | None
) -> None:
    other = new_client(app_client)
    other_token = sign_in(other, "dana")
    mine = sign_in(app_client, "pat")
    app_client.post("/requests/new", data={"summary": "one", "csrf_token": mine})
    sent = other_token if token == "other-session" else token
    before = fingerprint_of(portal_desk)
    data = {} if sent is None else {"csrf_token": sent}
    for path, fields in [
        ("/requests/new", {"summary": "forged"}),
        ("/requests/1/reply", {"message": "forged"}),
        ("/logout", {}),
    ]:
        answer = app_client.post(path, data={**fields, **data})
        assert answer.status_code == 403, path
        assert "nothing was done" in answer.text
    assert fingerprint_of(portal_desk) == before
    assert app_client.get("/requests").status_code == 200  # still signed in
    # The sign-in form too: its token is bound to the browser's own cookie.
    fresh = new_client(app_client)
    fresh.get("/login")
    answer = fresh.post(
        "/login", data={"username": "pat@springfield.gov", "password": PASSWORD, **data}
    )
    assert answer.status_code == 403


def _posted(client: TestClient, body: bytes) -> tuple[int, str]:
    answer = client.post(
        "/requests/new",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    return answer.status_code, answer.text


def _error_next_to(html: str, field: str) -> str:
    start = html.index(f'id="{field}-error"')
    return html[html.index(">", start) + 1 : html.index("</p>", start)]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"summary": "x" * 1_000_000}, "summary", "Summary is too long (1000000 characters"),
        ({"summary": ""}, "summary", "Summary is empty."),
        ({"summary": "   "}, "summary", "Summary is empty."),
        ({"summary": "a\x1b[31mb"}, "summary", "control character (U+001B) at position 2"),
        ({"summary": "line\nbreak"}, "summary", "control character (U+000A)"),
        ({"summary": "ok", "details": "nul\x00"}, "details", "control character (U+0000)"),
        ({"summary": "ok", "details": "d" * 4001}, "details", "Details is too long"),
        ({"summary": "ok", "emergency": "maybe"}, "emergency", "ticked or left empty"),
    ],
)
def test_bad_input_is_named_next_to_its_field_and_nothing_is_written(
    app_client: TestClient, portal_desk: Database, fingerprint_of, fields, field, message
) -> None:
    token = sign_in(app_client, "pat")
    before = fingerprint_of(portal_desk)
    answer = app_client.post("/requests/new", data={**fields, "csrf_token": token})
    assert answer.status_code == 400
    assert message in _error_next_to(answer.text, field)
    assert f'<a href="#{field}">' in answer.text  # and in the summary at the top
    assert fingerprint_of(portal_desk) == before


def test_invalid_utf8_is_named_and_nothing_is_written(
    app_client: TestClient, portal_desk: Database, fingerprint_of
) -> None:
    token = sign_in(app_client, "pat")
    before = fingerprint_of(portal_desk)
    code, html = _posted(app_client, b"summary=caf%E9+%FF%FE&csrf_token=" + token.encode())
    assert code == 400
    assert "not valid UTF-8" in _error_next_to(html, "summary")
    code, html = _posted(app_client, b"summary=fine&details=%C3%28&csrf_token=" + token.encode())
    assert code == 400 and "not valid UTF-8" in _error_next_to(html, "details")
    code, html = _posted(app_client, b"summary=one&summary=two&csrf_token=" + token.encode())
    assert code == 400 and "sent twice" in _error_next_to(html, "summary")
    assert fingerprint_of(portal_desk) == before


def test_line_breaks_as_browsers_send_them_are_kept(
    app_client: TestClient, portal_desk: Database
) -> None:
    token = sign_in(app_client, "pat")
    answer = app_client.post(
        "/requests/new",
        data={"summary": "ok", "details": "one\r\ntwo\r\n", "csrf_token": token},
    )
    assert answer.status_code == 303
    with portal_desk.reading() as session:
        from console.store.models_portal import RequestMessage

        assert session.query(RequestMessage.body).scalar() == "one\ntwo"


def test_oversized_and_foreign_bodies_are_refused(
    app_client: TestClient, portal_desk: Database, fingerprint_of
) -> None:
    token = sign_in(app_client, "pat")
    before = fingerprint_of(portal_desk)
    code, html = _posted(app_client, b"summary=" + b"x" * (3 * 1024 * 1024))
    assert code == 413 and "larger than 2 MB" in html
    answer = app_client.post(
        "/requests/new",
        files={"summary": ("a.txt", b"hello")},
        data={"csrf_token": token},
    )
    assert answer.status_code == 415
    answer = app_client.post("/requests/new", json={"summary": "x", "csrf_token": token})
    assert answer.status_code == 415
    assert fingerprint_of(portal_desk) == before


def test_bad_sign_in_input(app_client: TestClient) -> None:
    page = app_client.get("/login")
    token = csrf_of(page.text)
    answer = app_client.post("/login", data={"username": "", "password": "", "csrf_token": token})
    assert answer.status_code == 400
    assert "Enter the e-mail address" in _error_next_to(answer.text, "username")
    assert "Enter your password" in _error_next_to(answer.text, "password")
    answer = app_client.post(
        "/login", data={"username": "a" * 300, "password": "x", "csrf_token": token}
    )
    assert answer.status_code == 400 and "254 characters" in answer.text
    answer = app_client.post(
        "/login",
        content=b"username=%FF&password=x&csrf_token=" + token.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 400 and "not valid UTF-8" in _error_next_to(
        answer.text, "username"
    )


def test_a_database_that_does_not_answer_gives_a_clear_page(clock, passwords) -> None:
    from console.store.db import open_database
    from console.web.app import PortalConfig, make_app

    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = open_database(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none")
    app = make_app(gone, clock, PortalConfig(), passwords)
    with TestClient(app, follow_redirects=False) as client:
        answer = client.get("/status")
    assert answer.status_code == 503 and "cannot reach the desk" in answer.text
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert "nobody" not in answer.text and "Traceback" not in answer.text

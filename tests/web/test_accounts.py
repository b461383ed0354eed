"""Portal accounts and signing in, over HTTP: only contacts get accounts (a lead makes
them), argon2 hashes, throttled sign-in that answers an unknown user and a wrong password
alike, sessions in the database rotated at sign-in, CSRF tokens, security headers."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from console.cli import main
from console.clock import FrozenClock
from console.store.db import Database
from console.store.models import Event
from console.store.models_portal import PortalAccount, PortalPassword, PortalSession
from tests.web.conftest import ACCOUNTS, PASSWORD, csrf_of, new_client, sign_in


def run(capsys: pytest.CaptureFixture[str], *args: str, stdin: str = "") -> tuple[int, str, str]:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(args))
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_desk(portal_desk: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    url = portal_desk.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", url)
    monkeypatch.delenv("SWITCHBOARD_USER", raising=False)
    return portal_desk


def test_a_lead_adds_lists_and_disables_accounts(cli_desk: Database, capsys) -> None:
    code, out, err = run(
        capsys,
        "contact",
        "add",
        "Shelbyville",
        "Otto Clerk",
        "--email",
        "Otto@Shelbyville.gov",
        "--as",
        "lena",
    )
    assert code == 0, err
    code, out, err = run(
        capsys,
        "portal",
        "account",
        "add",
        "otto@shelbyville.GOV",
        "--password-stdin",
        "--as",
        "lena",
        stdin="a long enough secret\n",
    )
    assert code == 0, err
    assert "otto@shelbyville.gov, Otto Clerk of Shelbyville" in out
    with cli_desk.reading() as session:
        account = session.scalars(
            select(PortalAccount).where(PortalAccount.email == "otto@shelbyville.gov")
        ).one()
        stored = session.get(PortalPassword, account.id)
        assert stored is not None and stored.hash.startswith("$argon2id$")
        assert "a long enough secret" not in json.dumps(
            [e.after for e in session.scalars(select(Event)).all()]
        )
    code, out, err = run(capsys, "portal", "account", "list", "--json")
    assert code == 0, err
    listed = {a["email"]: a for a in json.loads(out)}
    assert listed["otto@shelbyville.gov"]["customer"] == "Shelbyville"
    assert listed["dana@springfield.gov"]["designated"] is True
    code, out, err = run(
        capsys, "portal", "account", "disable", "otto@shelbyville.gov", "--as", "lena"
    )
    assert code == 0, err
    code, out, err = run(capsys, "portal", "account", "list")
    assert "otto@shelbyville.gov  Otto Clerk of Shelbyville (disabled)" in out


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["nobody@example.org", "--as", "lena"], "a long enough secret\n", "no contact of any"),
        (["pat@springfield.gov", "--as", "lena"], "a long enough secret\n", "already has an"),
        (["dana@springfield.gov", "--as", "ari"], "a long enough secret\n", "needs a lead"),
        (["not-an-address", "--as", "lena"], "a long enough secret\n", "not an e-mail"),
        (["x@springfield.gov", "--as", "lena"], "short\n", "too short"),
    ],
)
def test_accounts_only_for_contacts_by_a_lead(
    cli_desk: Database, capsys, fingerprint_of, args: list[str], stdin: str, message: str
) -> None:
    before = fingerprint_of(cli_desk)
    code, _, err = run(capsys, "portal", "account", "add", *args, "--password-stdin", stdin=stdin)
    assert code != 0
    assert message in err and len(err.strip().splitlines()) == 1
    assert fingerprint_of(cli_desk) == before


def test_sign_in_rotates_the_session_and_sets_safe_cookies(app_client: TestClient) -> None:
    app_client.cookies.set(
        "switchboard_portal", "attacker-chosen-value-" + "x" * 30, domain="testserver.local"
    )
    page = app_client.get("/login")
    assert page.status_code == 200
    answer = app_client.post(
        "/login",
        data={
            "username": "PAT@springfield.gov ",
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/requests"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if "switchboard_portal=" in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    token = app_client.cookies.get("switchboard_portal")
    assert token and not token.startswith("attacker")
    assert app_client.get("/requests").status_code == 200


def test_session_fixation_a_planted_cookie_never_signs_in(
    app_client: TestClient, portal_desk: Database
) -> None:
    sign_in(app_client, "pat")
    victim_token = app_client.cookies.get("switchboard_portal")
    # An attacker who learned the victim's pre-sign-in cookie learns nothing: a new token
    # is made at sign-in, and the table holds only hashes.
    with portal_desk.reading() as session:
        hashes = session.scalars(select(PortalSession.token_hash)).all()
    assert victim_token not in hashes
    attacker = new_client(app_client)
    attacker.cookies.set("switchboard_portal", hashes[0], domain="testserver.local")
    assert attacker.get("/requests").headers["location"] == "/login"


def _attempt(client: TestClient, username: str, password: str) -> tuple[int, str]:
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )
    return answer.status_code, answer.text


def _message(html: str) -> str:
    start = html.index('<div class="error-summary"')
    return html[start : html.index("</div>", start)]


def test_unknown_user_and_wrong_password_answer_alike(app_client: TestClient, monkeypatch) -> None:
    portal = app_client.app.state.portal
    calls: list[str | None] = []
    verify = portal.passwords.verify

    def counting(stored: str | None, password: str) -> bool:
        calls.append(stored)
        return verify(stored, password)

    monkeypatch.setattr(portal.passwords, "verify", counting)
    wrong = _attempt(app_client, "pat@springfield.gov", "not the password")
    unknown = _attempt(app_client, "nobody@springfield.gov", "not the password")
    assert wrong[0] == unknown[0] == 401
    assert _message(wrong[1]) == _message(unknown[1])
    # The same work: one argon2 verify each (a dummy hash for the unknown user).
    assert len(calls) == 2 and calls[0] is not None and calls[1] is None


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(
    app_client: TestClient, portal_desk: Database
) -> None:
    from console.store.commands import portal as pc
    from tests.conftest import NOW

    sign_in(app_client, "pat")
    assert app_client.get("/requests").status_code == 200
    with portal_desk.session() as session:
        pc.disable_account(session, "lena", NOW, email="pat@springfield.gov")
    assert app_client.get("/requests").headers["location"] == "/login"
    code, text = _attempt(new_client(app_client), "pat@springfield.gov", PASSWORD)
    assert code == 401 and "wrong" in text


def test_brute_force_is_throttled_per_account(app_client: TestClient, clock: FrozenClock) -> None:
    for _ in range(10):
        assert _attempt(app_client, "dana@springfield.gov", "guess")[0] == 401
    code, text = _attempt(app_client, "dana@springfield.gov", PASSWORD)
    assert code == 429 and "Too many failed sign-ins. Wait until 10:15 CT" in text
    # An unknown name is throttled the same way (no hint that it does not exist).
    for _ in range(10):
        _attempt(new_client(app_client), "ghost@springfield.gov", "guess")
    assert _attempt(app_client, "ghost@springfield.gov", "guess")[0] == 429
    clock.advance(timedelta(minutes=15, seconds=1))
    assert _attempt(new_client(app_client), "dana@springfield.gov", PASSWORD)[0] == 303


def test_brute_force_is_throttled_per_address(app_client: TestClient) -> None:
    for n in range(10):
        assert _attempt(app_client, f"guess{n}@springfield.gov", "guess")[0] == 401
    # Ten names from one address: the eleventh try waits, even with the right password.
    assert _attempt(app_client, "sam@shelbyville.gov", PASSWORD)[0] == 429


def test_idle_session_expires(app_client: TestClient, clock: FrozenClock) -> None:
    sign_in(app_client, "pat")
    clock.advance(timedelta(minutes=29))
    assert app_client.get("/requests").status_code == 200  # seen: idle time restarts
    clock.advance(timedelta(minutes=29))
    assert app_client.get("/requests").status_code == 200
    clock.advance(timedelta(minutes=31))
    stale = new_client(app_client)
    sign_in(stale, "dana")  # any sign-in prunes every idle session
    with app_client.app.state.portal.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(PortalSession)) == 1
    assert app_client.get("/requests").headers["location"] == "/login"


def test_logout_ends_the_session_on_the_server(app_client: TestClient, portal_desk) -> None:
    token = sign_in(app_client, "pat")
    stolen = app_client.cookies.get("switchboard_portal")
    answer = app_client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert app_client.get("/requests").headers["location"] == "/login"
    replay = new_client(app_client)
    replay.cookies.set("switchboard_portal", stolen, domain="testserver.local")
    assert replay.get("/requests").headers["location"] == "/login"
    with portal_desk.reading() as session:
        assert session.scalar(select(func.count()).select_from(PortalSession)) == 0


def test_every_page_carries_the_security_headers(app_client: TestClient) -> None:
    for path in ["/status", "/login", "/requests", "/nowhere", "/static/portal.css"]:
        headers = app_client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src" not in csp
        assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert app_client.get("/status").headers["cache-control"] == "no-store"


def test_behind_a_tls_proxy_cookies_are_secure_and_host_bound(
    portal_desk: Database, clock: FrozenClock, passwords
) -> None:
    from console.web.app import PortalConfig, make_app

    app = make_app(portal_desk, clock, PortalConfig(tls=True), passwords)
    with TestClient(app, base_url="https://portal.example", follow_redirects=False) as client:
        page = client.get("/login")
        assert "strict-transport-security" in page.headers
        answer = client.post(
            "/login",
            data={
                "username": ACCOUNTS["pat"][2],
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
        )
        assert answer.status_code == 303
        cookie = next(
            c for c in answer.headers.get_list("set-cookie") if "__Host-switchboard_portal=" in c
        )
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_second_portal_process_honours_the_session_and_the_throttle(
    app_client: TestClient, portal_desk: Database, clock: FrozenClock, passwords
) -> None:
    from console.web.app import PortalConfig, make_app

    token = sign_in(app_client, "pat")
    other_app = make_app(portal_desk, clock, PortalConfig(), passwords)  # another process
    with TestClient(other_app, follow_redirects=False) as other:
        other.cookies = app_client.cookies
        assert other.get("/requests").status_code == 200
        answer = other.post("/requests/new", data={"summary": "via B", "csrf_token": token})
        assert answer.status_code == 303
    for _ in range(10):
        _attempt(new_client(app_client), "sam@shelbyville.gov", "guess")
    with TestClient(other_app, follow_redirects=False) as stranger:
        assert _attempt(stranger, "sam@shelbyville.gov", PASSWORD)[0] == 429

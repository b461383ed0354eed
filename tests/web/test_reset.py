"""Password reset by a mailed single-use link, over HTTP, through a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from console.clock import FrozenClock
from console.store.db import Database
from console.store.models_paging import Outbox
from console.store.models_portal import PortalToken
from console.store.portal_tokens import RESETS_PER_HOUR
from console.web.app import PortalConfig, make_app
from console.web.security import Passwords
from tests.paging.servers import SmtpSink
from tests.web.conftest import ACCOUNTS, PASSWORD, csrf_of, new_client, sign_in
from tests.web.mailed import BASE_URL, link_in, mails_to, send_outbox

NEW = "a brand new passphrase"
PAT = ACCOUNTS["pat"][2]


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    yield sink
    sink.close()


@pytest.fixture
def client(portal_desk: Database, clock: FrozenClock, passwords: Passwords) -> Iterator[TestClient]:
    app = make_app(portal_desk, clock, PortalConfig(base_url=BASE_URL), passwords)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def ask_reset(client: TestClient, username: str) -> str:
    form = client.get("/reset")
    answer = client.post("/reset", data={"username": username, "csrf_token": csrf_of(form.text)})
    assert answer.status_code == 200
    return answer.text


def reset_link(client: TestClient, desk: Database, clock: FrozenClock, smtp: SmtpSink) -> str:
    ask_reset(client, PAT)
    send_outbox(desk, clock, smtp)
    return link_in(mails_to(smtp, PAT)[-1], "reset")


def choose(client: TestClient, link: str, password: str = NEW, confirm: str | None = None):  # type: ignore[no-untyped-def]
    form = client.get(link)
    assert form.status_code == 200, form.text
    return client.post(
        link,
        data={
            "password": password,
            "password_confirm": password if confirm is None else confirm,
            "csrf_token": csrf_of(form.text),
        },
    )


def can_sign_in(client: TestClient, password: str) -> bool:
    browser = new_client(client)
    page = browser.get("/login")
    answer = browser.post(
        "/login", data={"username": PAT, "password": password, "csrf_token": csrf_of(page.text)}
    )
    return answer.status_code == 303


def test_reset_round_trip_ends_every_session(
    client: TestClient, portal_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    other = new_client(client)
    sign_in(other, "pat")
    assert other.get("/requests").status_code == 200
    link = reset_link(client, portal_desk, clock, smtp)
    assert "within 30 minutes" in mails_to(smtp, PAT)[-1]
    answer = choose(client, link)
    assert answer.status_code == 200 and "Your password is set" in answer.text
    assert other.get("/requests").status_code == 303  # signed out everywhere
    assert can_sign_in(client, NEW)
    assert not can_sign_in(client, PASSWORD)
    # The token lives only as its hash; the sent mail's row keeps no copy of it.
    token = link.rsplit("/", 1)[1]
    with portal_desk.reading() as s:
        stored = s.scalars(select(PortalToken.token_hash)).all()
        [sent] = s.scalars(select(Outbox.body).where(Outbox.purpose == "password-reset")).all()
    assert token not in stored and token not in sent
    assert "/reset/(removed once sent)" in sent


def test_a_link_works_once(
    client: TestClient, portal_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    link = reset_link(client, portal_desk, clock, smtp)
    form = client.get(link)
    assert choose(client, link).status_code == 200
    again = client.post(
        link,
        data={
            "password": "yet another password",
            "password_confirm": "yet another password",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert again.status_code == 404 and "does not work" in again.text
    assert client.get(link).status_code == 404
    assert can_sign_in(client, NEW)


def test_an_expired_link_does_nothing(
    client: TestClient, portal_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    link = reset_link(client, portal_desk, clock, smtp)
    form = client.get(link)
    clock.advance(timedelta(minutes=31))
    assert client.get(link).status_code == 404
    late = client.post(
        link, data={"password": NEW, "password_confirm": NEW, "csrf_token": csrf_of(form.text)}
    )
    assert late.status_code == 404
    assert can_sign_in(client, PASSWORD)


@pytest.mark.parametrize("forged", ["/reset/" + "A" * 43, "/reset/short", "/reset/" + "x" * 300])
def test_a_forged_link_is_the_same_404(client: TestClient, forged: str) -> None:
    page = client.get(forged)
    assert page.status_code == 404 and "does not work" in page.text
    posted = client.post(
        forged, data={"password": NEW, "password_confirm": NEW, "csrf_token": csrf_of(page.text)}
    )
    assert posted.status_code == 404
    assert can_sign_in(client, PASSWORD)


def test_no_account_enumeration_and_mail_only_for_enabled_accounts(
    client: TestClient, portal_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    known = ask_reset(client, PAT)
    unknown = ask_reset(client, "nobody@springfield.gov")
    assert known == unknown
    assert "If an account exists" in known
    send_outbox(portal_desk, clock, smtp)
    with smtp.lock:
        assert [m["To"] for m in smtp.messages] == [PAT]


def test_a_few_mails_per_hour_at_most(
    client: TestClient, portal_desk: Database, clock: FrozenClock
) -> None:
    answers = {ask_reset(client, PAT) for _ in range(RESETS_PER_HOUR + 3)}
    assert len(answers) == 1
    with portal_desk.reading() as s:
        queued = s.scalar(select(func.count()).where(Outbox.purpose == "password-reset"))
    assert queued == RESETS_PER_HOUR
    clock.advance(timedelta(minutes=61))
    ask_reset(client, PAT)
    with portal_desk.reading() as s:
        assert s.scalar(select(func.count()).where(Outbox.purpose == "password-reset")) == (
            RESETS_PER_HOUR + 1
        )


def test_csrf_is_refused_on_both_forms(
    client: TestClient, portal_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    client.get("/reset")
    refused = client.post("/reset", data={"username": PAT, "csrf_token": "x" * 43})
    assert refused.status_code == 403
    with portal_desk.reading() as s:
        assert s.scalar(select(func.count()).select_from(Outbox)) == 0
    link = reset_link(client, portal_desk, clock, smtp)
    attacker = new_client(client)  # another browser: no CSRF cookie
    forged = attacker.post(
        link, data={"password": NEW, "password_confirm": NEW, "csrf_token": "y" * 43}
    )
    assert forged.status_code == 403
    assert can_sign_in(client, PASSWORD)
    assert choose(client, link).status_code == 200  # the link still works for its owner


def test_bad_passwords_keep_the_link(
    client: TestClient, portal_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    link = reset_link(client, portal_desk, clock, smtp)
    assert choose(client, link, "short").status_code == 400
    assert choose(client, link, NEW, "different words here").status_code == 400
    assert choose(client, link).status_code == 200


def test_a_disabled_account_gets_no_mail_and_its_link_dies(
    client: TestClient, portal_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    from console.store.commands import portal as portal_commands

    link = reset_link(client, portal_desk, clock, smtp)
    with portal_desk.session() as s:
        portal_commands.disable_account(s, "lena", clock.now(), email=PAT)
    assert client.get(link).status_code == 404
    ask_reset(client, PAT)
    send_outbox(portal_desk, clock, smtp)
    assert len(mails_to(smtp, PAT)) == 1  # only the one sent before


def test_a_signed_in_browser_can_use_the_forms(
    client: TestClient, portal_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    sign_in(client, "pat")
    link = reset_link(client, portal_desk, clock, smtp)
    assert choose(client, link).status_code == 200
    assert client.get("/requests").status_code == 303  # this session ended too

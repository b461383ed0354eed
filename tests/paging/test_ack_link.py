"""Acknowledging a page by the single-use link in its mail, over HTTP, with the mail sent
through a real SMTP server and the link read out of it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from console.clock import FrozenClock
from console.store import commands
from console.store.db import Database
from console.store.models import Event
from console.store.models_paging import Outbox, Page
from console.web.app import PortalConfig, make_app
from tests.paging.conftest import log_emergency
from tests.paging.servers import SmtpSink
from tests.web.conftest import cheap_passwords, csrf_of, new_client
from tests.web.mailed import BASE_URL, link_in, mails_to, outbox_forgot, send_outbox


@pytest.fixture
def client(night_desk: Database, clock: FrozenClock) -> Iterator[TestClient]:
    app = make_app(night_desk, clock, PortalConfig(base_url=BASE_URL), cheap_passwords())
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def paged(database: Database, clock: FrozenClock, smtp: SmtpSink) -> tuple[int, str]:
    """An emergency pages ari; (request id, the ack link's path from ari's mail)."""
    rid = log_emergency(database, clock, contact="Ms Hoover")
    send_outbox(database, clock, smtp)
    [body] = mails_to(smtp, "ari@x.test")
    assert "{portal}" not in body
    link = link_in(body, "ack")
    assert outbox_forgot(database, link)  # sent: only the mail holds the token
    return rid, link


def page_state(database: Database, rid: int) -> tuple[str, str | None]:
    with database.reading() as s:
        page = s.scalars(select(Page).where(Page.request_id == rid)).one()
        return page.state, page.acked_by


def ack_events(database: Database) -> list[tuple[str, str | None]]:
    with database.reading() as s:
        rows = s.execute(select(Event.actor, Event.on_behalf_of).where(Event.kind == "page.acked"))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_ack_link_round_trip(
    client: TestClient, night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    rid, link = paged(night_desk, clock, smtp)
    form = client.get(link)
    assert form.status_code == 200 and "Acknowledge as ari" in form.text
    done = client.post(link, data={"csrf_token": csrf_of(form.text)})
    assert done.status_code == 200 and "Acknowledged by ari" in done.text
    assert page_state(night_desk, rid) == ("acked", "ari")
    assert ack_events(night_desk) == [("portal", "staff:ari")]
    with night_desk.reading() as s:
        bodies = s.scalars(select(Outbox.body).where(Outbox.channel == "email")).all()
    assert bodies and all(link.rsplit("/", 1)[1] not in b for b in bodies)
    # Once: the same link again, by GET or POST, is the 404 of an unknown one.
    again = client.post(link, data={"csrf_token": csrf_of(form.text)})
    assert again.status_code == 404
    assert client.get(link).status_code == 404
    assert ack_events(night_desk) == [("portal", "staff:ari")]


def test_following_the_link_changes_nothing(
    client: TestClient, night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    rid, link = paged(night_desk, clock, smtp)
    for _ in range(3):  # a mail scanner, a link preview, the person
        assert client.get(link).status_code == 200
        assert client.head(link).status_code in (200, 405)
    assert page_state(night_desk, rid) == ("open", None)
    assert ack_events(night_desk) == []


def test_unknown_forged_and_expired_links_are_the_same_404(
    client: TestClient, night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    rid, link = paged(night_desk, clock, smtp)
    form = client.get(link)
    for forged in ["/ack/" + "A" * 43, "/ack/short", "/ack/" + "z" * 200]:
        assert client.get(forged).status_code == 404
        assert client.post(forged, data={"csrf_token": csrf_of(form.text)}).status_code == 404
    clock.advance(timedelta(hours=25))
    assert client.get(link).status_code == 404
    assert client.post(link, data={"csrf_token": csrf_of(form.text)}).status_code == 404
    assert page_state(night_desk, rid)[1] is None


def test_csrf_is_refused(
    client: TestClient, night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    rid, link = paged(night_desk, clock, smtp)
    # A page elsewhere posting to the link: no CSRF cookie in this browser, a made-up token.
    attacker = new_client(client)
    assert attacker.post(link, data={"csrf_token": "x" * 43}).status_code == 403
    assert page_state(night_desk, rid) == ("open", None)
    form = client.get(link)
    assert client.post(link, data={"csrf_token": csrf_of(form.text)}).status_code == 200


def test_a_page_acked_another_way_says_so(
    client: TestClient, night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    rid, link = paged(night_desk, clock, smtp)
    form = client.get(link)
    with night_desk.session() as s:
        commands.ack_page(s, "lena", clock.now(), request_id=rid)
    answer = client.post(link, data={"csrf_token": csrf_of(form.text)})
    assert answer.status_code == 409 and "acknowledged by lena" in answer.text
    assert page_state(night_desk, rid) == ("acked", "lena")

"""On Postgres the portal runs as its own service login (`db grant-service portal`): the
database accepts its events only in the service's name, records for whom it acted, and
desk logins cannot read the portal's password hashes or sessions."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from starlette.testclient import TestClient

from console.cli import main
from console.clock import FrozenClock
from console.store import commands
from console.store.commands import portal as pc
from console.store.db import Database, open_database
from console.store.models import BillingNotice, Event
from console.web.app import PortalConfig, make_app
from tests.conftest import NOW, _empty_postgres
from tests.web.conftest import PASSWORD, WEEKEND, cheap_passwords, sign_in

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_desk(postgres_url: str) -> Iterator[Database]:
    database = open_database(postgres_url)
    _empty_postgres(database)
    passwords = cheap_passwords()
    with database.session() as session:
        commands.add_staff(
            session, None, NOW, handle="lena", name="Lena", role="lead", department="desk"
        )
        commands.add_staff(
            session, "lena", NOW, handle="ari", name="Ari", role="agent", department="desk"
        )
        commands.add_customer(session, "lena", NOW, municipality="Springfield", liaison="ari")
        commands.add_contact(
            session,
            "lena",
            NOW,
            customer="Springfield",
            name="Pat Planner",
            email="pat@springfield.gov",
        )
        commands.add_contact(
            session, "lena", NOW, customer="Springfield", name="Kim", email="kim@springfield.gov"
        )
        pc.add_account(
            session,
            "lena",
            NOW,
            email="pat@springfield.gov",
            password_hash=passwords.hash(PASSWORD),
        )
    yield database
    database.dispose()


@pytest.fixture
def logins(postgres_url: str) -> Iterator[dict[str, str]]:
    suffix = uuid.uuid4().hex[:8]
    names = {"portal": f"portal_{suffix}", "agent": f"ari_{suffix}", "lead": f"lena_{suffix}"}
    yield names
    admin = open_database(postgres_url)
    with admin.engine.begin() as connection:
        for name in names.values():
            connection.execute(text(f'DROP OWNED BY "{name}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    admin.dispose()


def as_login(url: str, login: str) -> Database:
    return open_database(make_url(url).set(username=login).render_as_string(False))


def test_the_portal_writes_as_its_service_login(
    pg_desk: Database, postgres_url: str, logins: dict[str, str], capsys
) -> None:
    args = ["--database", postgres_url]
    assert main(["db", "grant-service", "portal", "--login", logins["portal"], *args]) == 0
    assert main(["db", "grant", "ari", "agent", "--login", logins["agent"], *args]) == 0
    assert main(["db", "grant", "lena", "lead", "--login", logins["lead"], *args]) == 0
    capsys.readouterr()
    portal_db = as_login(postgres_url, logins["portal"])
    clock = FrozenClock(WEEKEND)
    try:
        app = make_app(portal_db, clock, PortalConfig(), cheap_passwords())
        with TestClient(app, follow_redirects=False) as client:
            token = sign_in(client, "pat")
            answer = client.post(
                "/requests/new",
                data={
                    "summary": "After hours",
                    "details": "please",
                    "after_hours": "bill",
                    "csrf_token": token,
                },
            )
            assert answer.status_code == 303, answer.text
            reply = client.post("/requests/1/reply", data={"message": "more", "csrf_token": token})
            assert reply.status_code == 303
        with TestClient(app, follow_redirects=False) as visitor:
            page = visitor.get("/account/request")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            asked = visitor.post(
                "/account/request", data={"email": "kim@springfield.gov", "csrf_token": token}
            )
            assert asked.status_code == 200
    finally:
        portal_db.dispose()
    with pg_desk.reading() as session:
        events = session.execute(
            select(Event.kind, Event.actor, Event.on_behalf_of).order_by(Event.id)
        ).all()
        mine = [e for e in events if e.actor == "portal"]
        assert {e.kind for e in mine} == {
            "portal-account.asked",
            "request.logged",
            "request.message",
            "billing-notice.recorded",
            "request.billing-notified",
        }
        assert {e.on_behalf_of for e in mine} == {"contact:1", "contact:2"}
        assert not [e for e in events if e.kind.startswith("sql.")]
        notice = session.scalars(select(BillingNotice)).one()
        assert notice.method == "portal" and notice.given_by_id is None
    # A desk login reads no hashes and no sessions, and cannot write in the portal's name.
    agent = as_login(postgres_url, logins["agent"])
    try:
        for table in ["portal_passwords", "portal_sessions", "portal_tokens"]:
            with (
                pytest.raises(ProgrammingError, match="permission denied"),
                agent.engine.begin() as c,
            ):
                c.execute(text(f"SELECT * FROM {table}"))
    finally:
        agent.dispose()
    # A lead's login approves and disables accounts (the CLI, as that login).
    lead_url = make_url(postgres_url).set(username=logins["lead"]).render_as_string(False)
    code = main(["portal", "account", "disable", "pat@springfield.gov", "--database", lead_url])
    assert code == 0, capsys.readouterr().err


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def _queued_link(database: Database, purpose: str, kind: str) -> str:
    from console.store.models_paging import Outbox

    with database.reading() as session:
        body = session.scalars(
            select(Outbox.body).where(Outbox.purpose == purpose).order_by(Outbox.id.desc())
        ).first()
    found = re.search(rf"/{kind}/[A-Za-z0-9_-]{{20,}}", body or "")
    assert found, body
    return found.group(0)


def test_mailed_links_work_under_the_service_and_desk_logins(
    pg_desk: Database, postgres_url: str, logins: dict[str, str], capsys
) -> None:
    """Reset, invitation and page-ack links with each process's own privileges (0010)."""
    from console.store.commands import Rules
    from console.store.models_paging import Page

    args = ["--database", postgres_url]
    assert main(["db", "grant-service", "portal", "--login", logins["portal"], *args]) == 0
    assert main(["db", "grant", "ari", "agent", "--login", logins["agent"], *args]) == 0
    assert main(["db", "grant", "lena", "lead", "--login", logins["lead"], *args]) == 0
    with pg_desk.session() as s:
        commands.set_staff_contact(s, "lena", NOW, handle="lena", email="lena@x.test", notify=[])
    # A lead invites Kim as the lead's own login: the account and its mail in one go.
    lead_url = make_url(postgres_url).set(username=logins["lead"]).render_as_string(False)
    code = main(
        ["portal", "account", "add", "kim@springfield.gov", "--invite", "--database", lead_url]
    )
    assert code == 0, capsys.readouterr().err
    # An agent logs an emergency as their own login: its page mail carries an ack link.
    agent = as_login(postgres_url, logins["agent"])
    try:
        with agent.session() as s:
            rid = commands.log_request(
                s,
                "ari",
                WEEKEND,
                Rules.defaults(),
                channel="call",
                customer="Springfield",
                summary="site down",
                contact="Pat Planner",
                emergency=True,
            ).id
    finally:
        agent.dispose()
    portal_db = as_login(postgres_url, logins["portal"])
    clock = FrozenClock(WEEKEND)
    try:
        app = make_app(portal_db, clock, PortalConfig(), cheap_passwords())
        with TestClient(app, follow_redirects=False) as client:
            sign_in(client, "pat")
            page = client.get("/reset")
            assert (
                client.post(
                    "/reset",
                    data={"username": "pat@springfield.gov", "csrf_token": _csrf(page.text)},
                ).status_code
                == 200
            )
            for link in (
                _queued_link(pg_desk, "password-reset", "reset"),
                _queued_link(pg_desk, "portal-invite", "reset"),
            ):
                form = client.get(link)
                new = "a fresh long passphrase"
                done = client.post(
                    link,
                    data={"password": new, "password_confirm": new, "csrf_token": _csrf(form.text)},
                )
                assert done.status_code == 200, done.text
            assert client.get("/requests").status_code == 303  # pat's session ended
            ack = _queued_link(pg_desk, "page", "ack")
            form = client.get(ack)
            assert client.post(ack, data={"csrf_token": _csrf(form.text)}).status_code == 200
    finally:
        portal_db.dispose()
    with pg_desk.reading() as session:
        page_row = session.scalars(select(Page).where(Page.request_id == rid)).one()
        assert (page_row.state, page_row.acked_by) == ("acked", "lena")
        acked = session.execute(
            select(Event.actor, Event.on_behalf_of).where(Event.kind == "page.acked")
        ).all()
        assert [tuple(a) for a in acked] == [("portal", "staff:lena")]

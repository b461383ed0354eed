"""The portal's pages over HTTP: their public field names, who sees what, the after-hours
notice and choice, emergencies, replies, and the policy read from the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from starlette.testclient import TestClient

from console.clock import FrozenClock
from console.domain.policy import add_closure
from console.store.commands import policy as policy_commands
from console.store.commands import portal as pc
from console.store.db import Database
from console.store.models import BillingNotice, Event, Request
from console.store.models_portal import RequestMessage
from tests.conftest import NOW
from tests.web.conftest import WEEKEND, new_client, sign_in


def file(client: TestClient, token: str, **fields: str) -> tuple[int, str, str]:
    answer = client.post("/requests/new", data={"csrf_token": token, **fields})
    return answer.status_code, answer.headers.get("location", ""), answer.text


def test_status_is_public_and_reads_the_policy_in_effect(
    app_client: TestClient, portal_desk: Database, clock: FrozenClock
) -> None:
    page = app_client.get("/status")
    assert page.status_code == 200
    assert "The desk is open until 19:00 CT." in page.text
    assert "Requests filed on this website: action within 4 hours (business hours)" in page.text
    assert "acknowledged within 1 hour (around the clock)" in page.text
    assert "$200.00 an hour" in page.text
    clock.set(WEEKEND)
    assert "The desk is closed until Mon 07:00 CT." in app_client.get("/status").text
    clock.set(datetime(2026, 11, 26, 16, 0, tzinfo=UTC))
    assert "closed for Thanksgiving Day until Fri 07:00 CT" in app_client.get("/status").text
    # A lead closes the desk for Thursday 3 December: the portal says so at once.
    clock.set(NOW)
    with portal_desk.session() as session:
        policy_commands.change_policy(
            session,
            "lena",
            NOW,
            edit=lambda doc: add_closure(doc, date(2026, 12, 3), "Staff day"),
            reason="staff day",
            what="closure add 2026-12-03",
        )
    clock.set(NOW + timedelta(days=1))
    assert "closed for Staff day until Fri 07:00 CT." in app_client.get("/status").text


def test_pages_need_a_sign_in(app_client: TestClient) -> None:
    for path in ["/requests", "/requests/new", "/requests/1"]:
        assert app_client.get(path).headers["location"] == "/login"
    assert app_client.post("/requests/new", data={"summary": "x"}).headers["location"] == "/login"


def test_filing_in_desk_hours(app_client: TestClient, portal_desk: Database) -> None:
    token = sign_in(app_client, "pat")
    form = app_client.get("/requests/new").text
    for name in ['name="summary"', 'name="details"', 'name="emergency"', 'name="csrf_token"']:
        assert name in form
    assert 'name="after_hours"' not in form  # the desk is open
    code, location, _ = file(
        app_client, token, summary="Calendar page shows last year", details="Since Monday.\nAll."
    )
    assert code == 303 and location == "/requests/1"
    with portal_desk.reading() as session:
        row = session.get(Request, 1)
        assert row is not None
        assert (row.channel, row.contact_id, row.logged_by_id) == ("portal", 4, None)
        assert row.received_at == NOW and row.due_at == NOW + timedelta(hours=4)
        assert row.billing_state == "none" and not row.emergency
        events = session.scalars(select(Event).where(Event.kind != "sql.insert")).all()
        filed = [e for e in events if e.kind in ("request.logged", "request.message")]
        assert [(e.kind, e.actor, e.on_behalf_of) for e in filed] == [
            ("request.logged", "portal", "contact:4"),
            ("request.message", "portal", "contact:4"),
        ]
        message = session.scalars(select(RequestMessage)).one()
        assert message.body == "Since Monday.\nAll." and message.author == "contact"
    page = app_client.get("/requests/1").text
    assert "Calendar page shows last year" in page and "by 14:00 CT" in page
    listing = app_client.get("/requests").text
    assert "#1 Calendar page shows last year" in listing and "by 14:00 CT" in listing


def test_after_hours_without_a_choice_shows_the_notice_and_files_nothing(
    app_client: TestClient, portal_desk: Database, clock: FrozenClock, fingerprint_of
) -> None:
    clock.set(WEEKEND)
    token = sign_in(app_client, "pat")
    form = app_client.get("/requests/new").text
    assert 'name="after_hours" value="bill"' in form and 'value="wait"' in form
    before = fingerprint_of(portal_desk)
    code, _, text = file(app_client, token, summary="New page for the library")
    assert code == 400
    assert "work before it opens is billable" in text and "$200.00 an hour" in text
    assert 'id="after_hours-error"' in text
    assert 'value="New page for the library"' in text  # what they typed is kept
    assert fingerprint_of(portal_desk) == before


def test_after_hours_bill_records_the_portal_notice(
    app_client: TestClient, portal_desk: Database, clock: FrozenClock
) -> None:
    clock.set(WEEKEND)
    token = sign_in(app_client, "pat")
    code, location, _ = file(app_client, token, summary="Publish the agenda", after_hours="bill")
    assert code == 303
    with portal_desk.reading() as session:
        row = session.get(Request, int(location.rsplit("/", 1)[1]))
        assert row is not None and row.billing_state == "notified"
        notice = session.scalars(select(BillingNotice)).one()
        assert (notice.method, notice.given_by_id, notice.given_at) == ("portal", None, WEEKEND)
        kinds = session.execute(
            select(Event.kind, Event.actor, Event.on_behalf_of).where(
                Event.kind.like("billing%") | Event.kind.like("request.billing%")
            )
        ).all()
        assert set(kinds) == {
            ("billing-notice.recorded", "portal", "contact:4"),
            ("request.billing-notified", "portal", "contact:4"),
        }
    from console.store import board

    detail = board.Board(portal_desk).detail(1)  # the console's detail screen
    assert detail is not None and detail.notices == ("portal by portal",)
    assert "You agreed that work on this request" in app_client.get(location).text


def test_after_hours_wait_records_the_decline_and_the_timer_pauses(
    app_client: TestClient, portal_desk: Database, clock: FrozenClock
) -> None:
    clock.set(WEEKEND)
    token = sign_in(app_client, "pat")
    code, location, _ = file(app_client, token, summary="Publish the agenda", after_hours="wait")
    assert code == 303
    with portal_desk.reading() as session:
        row = session.get(Request, 1)
        assert row is not None and row.billing_state == "declined"
        assert session.scalars(select(BillingNotice)).first() is None
    assert "paused until Mon 07:00" in app_client.get("/requests").text
    assert "the desk starts on this request when it opens" in app_client.get(location).text


def test_an_emergency_from_a_designated_contact_after_hours(
    app_client: TestClient, portal_desk: Database, clock: FrozenClock
) -> None:
    clock.set(WEEKEND)
    token = sign_in(app_client, "dana")
    code, location, _ = file(app_client, token, summary="The whole site is down", emergency="on")
    assert code == 303
    with portal_desk.reading() as session:
        row = session.get(Request, 1)
        assert row is not None and row.emergency and not row.emergency_unverified
        assert row.billing_state == "none" and row.due_at == WEEKEND + timedelta(hours=1)
    page = app_client.get(location).text
    assert "the person on call is paged" in page and "awaiting verification" not in page


def test_an_emergency_from_another_contact_is_filed_unverified(
    app_client: TestClient, portal_desk: Database
) -> None:
    token = sign_in(app_client, "pat")
    assert "You are not a designated emergency contact" in app_client.get("/requests/new").text
    code, location, _ = file(app_client, token, summary="Forms fail", emergency="on")
    assert code == 303
    with portal_desk.reading() as session:
        row = session.get(Request, 1)
        assert row is not None and row.emergency and row.emergency_unverified
    assert "awaiting verification" in app_client.get(location).text


def test_replies_both_ways(app_client: TestClient, portal_desk: Database) -> None:
    token = sign_in(app_client, "pat")
    file(app_client, token, summary="Broken link")
    with portal_desk.session() as session:
        pc.desk_reply(session, "ari", NOW, request_id=1, body="Which page, please?")
    page = app_client.get("/requests/1").text
    assert "Which page, please?" in page and "Ari, support desk" in page
    answer = app_client.post(
        "/requests/1/reply", data={"message": "The home page", "csrf_token": token}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/requests/1#messages"
    page = app_client.get("/requests/1").text
    assert page.index("Which page, please?") < page.index("The home page")
    with portal_desk.reading() as session:
        last = session.scalars(select(Event).order_by(Event.id.desc())).first()
        assert last is not None
        assert (last.kind, last.actor, last.on_behalf_of) == (
            "request.message",
            "portal",
            "contact:4",
        )


def test_designated_contacts_see_all_their_customers_requests(
    app_client: TestClient, portal_desk: Database
) -> None:
    pat = sign_in(app_client, "pat")
    file(app_client, pat, summary="Pat's request")
    dana_client = new_client(app_client)
    dana = sign_in(dana_client, "dana")
    file(dana_client, dana, summary="Dana's request")
    assert "Dana's request" not in app_client.get("/requests").text
    assert app_client.get("/requests/2").status_code == 404
    listing = dana_client.get("/requests").text
    assert "Pat&#39;s request" in listing and "Dana&#39;s request" in listing
    assert dana_client.get("/requests/1").status_code == 200
    sam_client = new_client(app_client)
    sign_in(sam_client, "sam")
    assert "No requests yet." in sam_client.get("/requests").text


def test_a_resolved_request_takes_no_reply(app_client: TestClient, portal_desk: Database) -> None:
    from console.store import commands

    token = sign_in(app_client, "pat")
    file(app_client, token, summary="Done soon")
    with portal_desk.session() as session:
        commands.resolve(session, "ari", NOW, request_id=1)
    page = app_client.get("/requests/1").text
    assert "This request is resolved" in page and 'name="message"' not in page
    answer = app_client.post("/requests/1/reply", data={"message": "more", "csrf_token": token})
    assert answer.status_code == 400 and "Request 1 is resolved: file a new" in answer.text


def test_the_consoles_feed_delivers_a_portal_request(
    app_client: TestClient, portal_desk: Database
) -> None:
    from console.store import board
    from console.store.feed import EventReader

    reader = EventReader(portal_desk.engine.url)
    try:
        position, _ = reader.start()
        token = sign_in(app_client, "pat")
        file(app_client, token, summary="Seen on every console")
        events = reader.read(position)
    finally:
        reader.dispose()
    assert ("request.logged", "request", 1) in [(e.kind, e.entity, e.entity_id) for e in events]
    state = board.Board(portal_desk).load(NOW, NOW.date())
    assert state.requests[1].summary == "Seen on every console"
    detail = board.Board(portal_desk).detail(1)
    assert detail is not None


def test_work_after_a_portal_notice_is_billed(
    app_client: TestClient, portal_desk: Database, clock: FrozenClock
) -> None:
    from console.domain.policy import Policy
    from console.store import commands
    from console.store.reports.billing import billing_report

    clock.set(WEEKEND)
    token = sign_in(app_client, "pat")
    file(app_client, token, summary="Tonight, please", after_hours="bill")
    with portal_desk.session() as session:
        commands.log_work(
            session,
            "ari",
            WEEKEND + timedelta(hours=2),
            commands.Rules.defaults(),
            request_id=1,
            started_at=WEEKEND + timedelta(minutes=30),
            ended_at=WEEKEND + timedelta(minutes=90),
        )
    with portal_desk.reading() as session:
        report = billing_report(session, Policy.defaults(), date(2026, 12, 1), date(2026, 12, 31))
    (line,) = report.customers[0].lines
    assert line.notice_by == "portal" and report.amount == 200

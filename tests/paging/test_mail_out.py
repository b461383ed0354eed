"""Mail out (issue 15, part 7) through the pager's sender to a real SMTP server: replies
by e-mail, acknowledgements, billing notices, and a page acknowledged by replying "ack";
then the round trips back through intake's pipe (SQLite, a frozen clock)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from console.clock import FrozenClock
from console.mail.intake import take_in
from console.settings import IntakeSettings
from console.store import commands
from console.store.commands.portal import desk_reply
from console.store.db import Database
from console.store.models import BillingNotice, Event, Request
from console.store.models_paging import Outbox, Page
from console.store.models_portal import RequestMessage
from tests.paging.conftest import log_emergency, make_pager
from tests.paging.servers import SmtpSink

DANA = "dana@springfield.example"


def _mail(sender: str, subject: str, mid: str, body: str = "The site is down.\n", extra=()):
    lines = [
        f"From: Dana <{sender}>",
        "To: help@desk.example",
        f"Subject: {subject}",
        f"Message-ID: {mid}",
        *extra,
        "Content-Type: text/plain; charset=utf-8",
        "",
        body,
    ]
    return "\r\n".join(lines).encode()


def _pipe(db: Database, clock: FrozenClock, data: bytes, **settings: object):
    return take_in(db, data, now=clock.now(), service="intake", settings=IntakeSettings(**settings))


def _dana(db: Database, clock: FrozenClock) -> None:
    with db.session() as s:
        commands.add_contact(
            s,
            "lena",
            clock.now(),
            customer="Springfield",
            name="Dana",
            email="Dana@Springfield.example",
        )


def _sent(smtp: SmtpSink) -> list:
    with smtp.lock:
        return list(smtp.messages)


def test_acknowledgement_then_reply_by_mail_threaded_and_round_trips(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    _dana(night_desk, clock)
    filed = _pipe(night_desk, clock, _mail(DANA, "Portal login broken", "<c1@springfield.example>"))
    assert filed.outcome == "new"
    rid = filed.request
    pager = make_pager(night_desk, clock, smtp.port)
    assert pager.tick().outcome.sent == 1
    [ack] = _sent(smtp)
    assert ack["To"] == DANA and ack["Auto-Submitted"] == "auto-replied"
    assert f"[SB#{rid}]" in ack["Subject"] and ack["In-Reply-To"] == "<c1@springfield.example>"
    assert ack["Message-ID"].startswith(f"<sb-{rid}-")
    assert f"number {rid}" in ack.get_content()
    assert "(CST)" in ack.get_content()  # the due time in the desk's zone
    # Our acknowledgement coming back (a loop, an auto-forward) is ignored.
    back = _pipe(night_desk, clock, ack.as_bytes())
    assert back.outcome == "ignored" and back.request is None

    clock.advance(timedelta(minutes=5))
    with night_desk.session() as s:
        view = desk_reply(s, "ari", clock.now(), request_id=rid, body="We are on it.")
    assert (view.mailed_to, view.responded) == ("Dana@Springfield.example", True)
    with night_desk.reading() as s:
        row = s.get(Request, rid)
        assert row.first_response_at == clock.now()
        portal = s.scalars(select(RequestMessage.body).where(RequestMessage.request_id == rid))
        assert list(portal) == ["We are on it."]
        kinds = [e.kind for e in s.scalars(select(Event).order_by(Event.id.desc()).limit(2))]
        assert kinds == ["request.responded", "request.message"]
    assert pager.tick().outcome.sent == 1
    reply = _sent(smtp)[1]
    assert reply["Subject"] == f"Re: Portal login broken [SB#{rid}]"
    assert reply["In-Reply-To"] == reply["References"] == "<c1@springfield.example>"
    assert reply["Message-ID"].startswith(f"<sb-{rid}-")
    assert reply["X-Switchboard-Outgoing"] == str(rid)
    assert reply.get_content().strip() == "We are on it."

    # The customer's answer (threaded on our reply only, no token) joins the request.
    answer = _mail(
        DANA,
        "Re: thanks",
        "<c2@springfield.example>",
        extra=[f"In-Reply-To: {reply['Message-ID']}"],
    )
    joined = _pipe(night_desk, clock, answer)
    assert (joined.outcome, joined.request) == ("reply", rid)
    # A second reply is mailed too, but the clock stopped once.
    with night_desk.session() as s:
        again = desk_reply(s, "ari", clock.now(), request_id=rid, body="Fixed.")
    assert again.responded is False and again.mailed_to
    pager.tick()
    assert _sent(smtp)[2]["In-Reply-To"] == "<c2@springfield.example>"


def test_acknowledgement_at_most_once_an_hour_and_only_to_known_contacts(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    _dana(night_desk, clock)
    for n in range(3):
        assert _pipe(night_desk, clock, _mail(DANA, f"issue {n}", f"<a{n}@x>")).outcome == "new"
    unknown = _pipe(night_desk, clock, _mail("who@elsewhere.example", "hi", "<u1@x>"))
    assert unknown.outcome == "new"
    bulk = _mail(DANA, "news", "<b1@x>", extra=["Precedence: bulk"])
    assert _pipe(night_desk, clock, bulk).outcome == "ignored"
    clock.advance(timedelta(minutes=61))
    assert _pipe(night_desk, clock, _mail(DANA, "later", "<a9@x>")).outcome == "new"
    assert (
        _pipe(night_desk, clock, _mail(DANA, "off", "<a10@x>"), acknowledge=False).outcome == "new"
    )
    with night_desk.reading() as s:
        acks = s.scalars(select(Outbox.recipient).where(Outbox.purpose == "acknowledgement"))
        assert list(acks) == [DANA, DANA]


def test_billing_notice_by_email_is_sent_and_its_message_id_kept(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    _dana(night_desk, clock)
    rid = _pipe(night_desk, clock, _mail(DANA, "printer", "<n1@x>")).request
    with night_desk.session() as s:
        view = commands.record_billing_notice(s, "ari", clock.now(), request_id=rid, method="email")
    assert view.mailed_to == "Dana@Springfield.example" and view.message_id
    with night_desk.reading() as s:
        assert s.scalar(select(BillingNotice.message_id)) == view.message_id
    make_pager(night_desk, clock, smtp.port).tick()
    notice = _sent(smtp)[-1]
    assert notice["Message-ID"] == view.message_id and f"[SB#{rid}]" in notice["Subject"]
    assert "billed" in notice.get_content()


def test_billing_notice_by_phone_sends_nothing(night_desk: Database, clock: FrozenClock) -> None:
    _dana(night_desk, clock)
    rid = _pipe(night_desk, clock, _mail(DANA, "printer", "<p1@x>"), acknowledge=False).request
    with night_desk.session() as s:
        view = commands.record_billing_notice(s, "ari", clock.now(), request_id=rid, method="phone")
    assert view.message_id is None
    with night_desk.reading() as s:
        assert s.scalar(select(Outbox.id)) is None


def _page_mail(db: Database, clock: FrozenClock, smtp: SmtpSink) -> tuple[int, str]:
    rid = log_emergency(db, clock)
    make_pager(db, clock, smtp.port).tick()
    [page] = [m for m in _sent(smtp) if m["To"] == "ari@x.test"]
    return rid, page["Message-ID"]


def test_replying_ack_to_a_page_acknowledges_it_and_files_nothing(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    rid, mid = _page_mail(night_desk, clock, smtp)
    stranger = _mail("abe@x.test", "Re: page", "<r0@x>", "ack", [f"In-Reply-To: {mid}"])
    assert _pipe(night_desk, clock, stranger).outcome != "ignored"  # not paged: not staff's ack
    chat = _mail("ari@x.test", "Re: page", "<r1@x>", "looking\n", [f"In-Reply-To: {mid}"])
    assert _pipe(night_desk, clock, chat).reason.endswith("not ack")
    clock.advance(timedelta(minutes=2))
    ack = _mail(
        "ARI@x.test", "Re: page", "<r2@x>", "Ack - on my way\n> quoted", [f"References: {mid}"]
    )
    result = _pipe(night_desk, clock, ack)
    assert (result.outcome, result.request) == ("ignored", None)
    assert result.reason == "page 1 acknowledged by ari"
    with night_desk.reading() as s:
        page = s.scalar(select(Page).where(Page.request_id == rid))
        assert (page.state, page.acked_by, page.acked_at) == ("acked", "ari", clock.now())
        event = s.scalar(select(Event).where(Event.kind == "page.acked"))
        assert (event.actor, event.on_behalf_of) == ("intake", "staff:ari")
        assert s.scalar(select(Request.id).where(Request.summary == "Re: page")) is not None
    again = _pipe(
        night_desk, clock, _mail("ari@x.test", "Re", "<r3@x>", "ack", [f"In-Reply-To: {mid}"])
    )
    assert again.outcome == "ignored" and "was acknowledged by ari" in again.reason

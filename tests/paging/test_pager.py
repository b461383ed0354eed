"""The pager end to end on SQLite: real SMTP and a real HTTP target for Apprise's json://,
a frozen clock for the escalation steps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from console.clock import FrozenClock
from console.store import commands
from console.store.commands import Rules
from console.store.db import Database
from console.store.errors import InvalidInput, InvalidState, NotFound, PermissionDenied
from console.store.models import Event
from console.store.models_paging import Outbox, Page
from console.store.outbox import LINK_TOKEN
from console.store.page_list import page_lines
from tests.paging.conftest import NIGHT, log_emergency, make_pager
from tests.paging.servers import JsonSink, SmtpSink


def links_kept(database: Database) -> dict[str, int]:
    """Outbox rows whose body still holds a usable single-use link, by state."""
    with database.reading() as s:
        rows = s.execute(select(Outbox.state, Outbox.body)).all()
    kept: dict[str, int] = {}
    for state, body in rows:
        if LINK_TOKEN.search(body):
            kept[state] = kept.get(state, 0) + 1
    return kept


def _to(smtp: SmtpSink, address: str) -> list[str]:
    with smtp.lock:
        return [str(m["Subject"]) for m in smtp.messages if m["To"] == address]


def test_first_page_reaches_the_person_on_call_by_mail_and_apprise(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink, webhook: JsonSink
) -> None:
    rid = log_emergency(night_desk, clock)
    result = make_pager(night_desk, clock, smtp.port).tick()
    assert result.outcome.sent == 2
    [subject] = _to(smtp, "ari@x.test")
    assert subject.startswith(f"EMERGENCY request {rid} Springfield: verified.")
    assert f"switchboard page ack {rid} --as ari" in subject
    [mail] = smtp.messages
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Message-ID"].startswith("<page-")
    assert "the website is down" in mail.get_payload()
    [post] = webhook.posts
    assert post["title"] == subject


def test_an_unverified_emergency_names_the_designated_contacts_to_call_back(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    rid = log_emergency(night_desk, clock, contact="Clerk Smithers")
    make_pager(night_desk, clock, smtp.port).tick()
    [subject] = _to(smtp, "ari@x.test")
    assert subject.startswith(
        f"EMERGENCY request {rid} Springfield: UNVERIFIED: call back a designated contact: "
        "Mayor Quimby (no phone); Ms Hoover 555-0142."
    )


def test_the_page_is_written_with_the_emergency_or_not_at_all(
    night_desk: Database, clock: FrozenClock
) -> None:
    with night_desk.session() as s, pytest.raises(NotFound):
        commands.log_request(
            s,
            "dora",
            clock.now(),
            Rules.defaults(),
            channel="call",
            customer="Springfield",
            summary="down",
            contact="Nobody Known",
            emergency=True,
        )
    with night_desk.reading() as s:
        assert s.scalars(select(Page)).all() == []
        assert s.scalars(select(Outbox)).all() == []


def test_escalation_steps_follow_the_policy_until_acknowledged(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    rid = log_emergency(night_desk, clock)
    pager = make_pager(night_desk, clock, smtp.port)
    pager.tick()
    clock.advance(timedelta(minutes=9, seconds=59))
    assert pager.tick().escalated == 0
    clock.advance(timedelta(seconds=1))  # 10 minutes: step 1, page again
    assert pager.tick().escalated == 1
    assert len(_to(smtp, "ari@x.test")) == 2
    clock.advance(timedelta(minutes=10))  # step 2: the next person on call
    pager.tick()
    assert len(_to(smtp, "abe@x.test")) == 1
    clock.advance(timedelta(minutes=10))  # step 3: the desk lead
    pager.tick()
    assert len(_to(smtp, "lena@x.test")) == 1
    with night_desk.session() as s:
        commands.ack_page(s, "lena", clock.now(), request_id=rid)
    clock.advance(timedelta(hours=2))
    result = pager.tick()
    assert (result.escalated, result.outcome.sent) == (0, 0)
    assert [len(_to(smtp, a)) for a in ("ari@x.test", "abe@x.test", "lena@x.test")] == [2, 1, 1]
    with night_desk.reading() as s:
        kinds = s.scalars(select(Event.kind).where(Event.entity == "page").order_by(Event.id)).all()
    assert kinds == ["page.opened", *["page.escalated"] * 3, "page.acked"]


def test_an_ack_cancels_what_is_queued_and_nothing_more_is_sent(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink, webhook: JsonSink
) -> None:
    rid = log_emergency(night_desk, clock)
    assert links_kept(night_desk) == {"queued": 1}  # the page's mail carries its ack link
    with night_desk.session() as s:
        done = commands.ack_page(s, "ari", clock.now(), request_id=rid)
    assert done.cancelled == 2
    assert links_kept(night_desk) == {}  # cancelled: it will not be sent, nor kept readable
    pager = make_pager(night_desk, clock, smtp.port)
    clock.advance(timedelta(hours=1))
    assert pager.tick().outcome.sent == 0
    assert smtp.messages == [] and webhook.posts == []
    with night_desk.session() as s, pytest.raises(InvalidState, match="acknowledged by ari"):
        commands.ack_page(s, "lena", clock.now(), request_id=rid)
    [line] = [x for x in page_lines_of(night_desk) if x.channel == "email"]
    assert (line.state, line.acked_by) == ("cancelled", "ari")


def page_lines_of(database: Database) -> list:
    with database.reading() as s:
        return page_lines(s)


def test_assigning_an_emergency_pages_the_assignee_and_restarts_the_timeout(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    rid = log_emergency(night_desk, clock)
    pager = make_pager(night_desk, clock, smtp.port)
    pager.tick()
    clock.advance(timedelta(minutes=5))
    with night_desk.session() as s:
        commands.assign(s, "dora", clock.now(), request_id=rid, to="abe")
    pager.tick()
    assert len(_to(smtp, "abe@x.test")) == 1
    clock.advance(timedelta(minutes=9))
    assert pager.tick().escalated == 0
    clock.advance(timedelta(minutes=1))
    pager.tick()  # step 1, "repeat", pages the assignee again
    assert len(_to(smtp, "abe@x.test")) == 2


def test_resolving_or_downgrading_stops_the_escalation(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    first, second = log_emergency(night_desk, clock), log_emergency(night_desk, clock)
    with night_desk.session() as s:
        commands.resolve(s, "ari", clock.now(), request_id=first)
    with night_desk.session() as s:
        commands.downgrade_emergency(s, "dora", clock.now(), Rules.defaults(), request_id=second)
    clock.advance(timedelta(hours=1))
    assert make_pager(night_desk, clock, smtp.port).tick().outcome.sent == 0
    with night_desk.reading() as s:
        assert {p.state for p in s.scalars(select(Page))} == {"closed"}


def test_smtp_down_then_back_retries_with_backoff(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    log_emergency(night_desk, clock)
    smtp.stop_listening()
    pager = make_pager(night_desk, clock, smtp.port)
    assert pager.tick().outcome.retried == 1  # the e-mail (the webhook is up)
    [mail] = [x for x in page_lines_of(night_desk) if x.channel == "email"]
    assert (mail.state, mail.attempts) == ("queued", 1)
    assert "ConnectionRefusedError" in mail.last_error
    clock.advance(timedelta(seconds=29))
    assert pager.tick().outcome.retried == 0  # not due yet: the backoff is 30 s
    clock.advance(timedelta(seconds=1))
    assert pager.tick().outcome.retried == 1
    smtp.listen()
    clock.advance(timedelta(seconds=59))
    assert pager.tick().outcome.sent == 0  # the second backoff is 60 s
    clock.advance(timedelta(seconds=1))
    assert pager.tick().outcome.sent == 1
    assert len(_to(smtp, "ari@x.test")) == 1


def test_past_the_limit_a_message_is_failed_and_shown(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    log_emergency(night_desk, clock)
    smtp.stop_listening()
    pager = make_pager(night_desk, clock, smtp.port, max_attempts=2)
    pager.tick()
    clock.advance(timedelta(seconds=30))
    assert pager.tick().outcome.failed == 1
    clock.advance(timedelta(hours=1))
    smtp.listen()
    pager.tick()  # escalations go on; the failed message is not tried again
    [first] = [x for x in page_lines_of(night_desk) if x.channel == "email" and x.step == 0]
    assert (first.state, first.attempts) == ("failed", 2)
    assert "failed" not in links_kept(night_desk)  # given up: its ack link is gone


def test_a_shift_handoff_pages_the_incoming_person_once(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    with night_desk.session() as s:
        commands.add_shift(
            s,
            "lena",
            clock.now(),
            staff="abe",
            kind="on-call",
            starts_at=NIGHT + timedelta(hours=3, minutes=50),
            ends_at=NIGHT + timedelta(hours=4),
        )
    log_emergency(night_desk, clock)
    pager = make_pager(night_desk, clock, smtp.port)
    with night_desk.session() as s:
        rid = log_emergency(night_desk, clock)
        commands.ack_page(s, "ari", clock.now(), request_id=rid)
    clock.set(NIGHT + timedelta(hours=3, minutes=50))
    assert pager.tick().handoffs == 1
    assert pager.tick().handoffs == 0
    [subject] = [x for x in _to(smtp, "abe@x.test") if x.startswith("HANDOFF")]
    assert subject.startswith("HANDOFF on call ari -> abe: 2 open emergencies, 0 need a billing")
    page_id = int(subject.rsplit("--page ", 1)[1].split()[0])
    clock.advance(timedelta(minutes=10))  # not acknowledged: escalated like any page
    pager.tick()
    assert len([x for x in _to(smtp, "abe@x.test") if x.startswith("HANDOFF")]) == 2
    with night_desk.session() as s:
        done = commands.ack_page(s, "abe", clock.now(), page_id=page_id)
    assert done.kind == "handoff"
    clock.advance(timedelta(minutes=30))
    pager.tick()
    assert len([x for x in _to(smtp, "abe@x.test") if x.startswith("HANDOFF")]) == 2


def test_staff_contacts_are_checked_and_only_leads_set_others(
    night_desk: Database, clock: FrozenClock
) -> None:
    with night_desk.session() as s, pytest.raises(PermissionDenied):
        commands.set_staff_contact(s, "ari", clock.now(), handle="abe", email="a@b.c", notify=[])
    for email, notify in [("not-an-address", []), (None, ["no scheme"]), (None, [])]:
        with night_desk.session() as s, pytest.raises(InvalidInput):
            commands.set_staff_contact(
                s, "ari", clock.now(), handle="ari", email=email, notify=notify
            )
    with night_desk.session() as s:
        view = commands.set_staff_contact(
            s, "ari", clock.now(), handle="ari", email=None, notify=["ntfy://secret-token@t"]
        )
    assert view.notify == ("ntfy",)
    with night_desk.reading() as s:
        last = s.scalars(select(Event).order_by(Event.id.desc())).first()
    assert "secret-token" not in str(last.after)


def test_nobody_on_call_pages_the_desk_lead(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    clock.set(NIGHT + timedelta(days=2))  # Saturday 03:10: closed, nobody on call
    rid = log_emergency(night_desk, clock)
    make_pager(night_desk, clock, smtp.port).tick()
    assert [s.split(":")[0] for s in _to(smtp, "lena@x.test")] == [
        f"EMERGENCY request {rid} Springfield"
    ]


def test_while_the_desk_is_open_an_unassigned_emergency_pages_the_leads_on_duty(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    clock.set(NIGHT + timedelta(hours=6))  # Thursday 09:10 in Chicago: open
    with night_desk.session() as s:
        commands.set_staff_contact(
            s, "dora", clock.now(), handle="dora", email="dora@x.test", notify=[]
        )
        commands.add_shift(
            s,
            "lena",
            clock.now(),
            staff="dora",
            kind="duty",
            starts_at=clock.now() - timedelta(hours=2),
            ends_at=clock.now() + timedelta(hours=6),
        )
    rid = log_emergency(night_desk, clock)
    make_pager(night_desk, clock, smtp.port).tick()
    [page] = _to(smtp, "dora@x.test")
    assert page.startswith(f"EMERGENCY request {rid} ")
    others = _to(smtp, "lena@x.test") + _to(smtp, "ari@x.test")
    assert not [x for x in others if x.startswith("EMERGENCY")]
    # ari's on-call shift ended at 07:00 with nobody after: the desk lead has the handoff
    assert [x.split(":")[0] for x in others] == ["HANDOFF on call ari -> NOBODY ON CALL"]

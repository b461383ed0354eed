"""The desk policy record: versions, re-timing open requests, refusals, and reports that
judge each request and each piece of work by the version in effect then."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy import select

from console.domain import policy as p
from console.store import commands as c
from console.store import reports
from console.store.commands.policy import change_policy
from console.store.db import Database
from console.store.errors import InvalidInput, PermissionDenied
from console.store.models import Event, Request
from console.store.policy import PolicyTimeline, current_policy, policy_at, policy_history
from tests.conftest import NOW


def ct(*args: int) -> datetime:
    return datetime(*args, tzinfo=p.Policy.defaults().calendar.zone).astimezone(UTC)


def close(desk: Database, day: date, at: datetime = NOW, who: str = "lena"):
    with desk.session() as s:
        return change_policy(
            s,
            who,
            at,
            edit=partial(p.add_closure, day=day, name="Storm"),
            reason="ice storm",
            what=f"closure add {day}",
        )


def test_a_fresh_desk_runs_on_the_contracts_defaults(desk: Database) -> None:
    with desk.reading() as s:
        record = current_policy(s)
        assert (record.number, record.policy.document) == (0, p.default_document())
        assert [r.number for r in policy_history(s)] == [0]


def test_a_closure_is_a_new_version_and_retimes_only_open_unanswered_requests(
    desk: Database, rules
) -> None:
    wednesday_9 = ct(2026, 12, 2, 9)
    with desk.session() as s:
        waiting = c.log_email(s, "ari", wednesday_9, rules, customer="Springfield", summary="a")
        answered = c.log_email(s, "ari", wednesday_9, rules, customer="Springfield", summary="b")
        c.respond(s, "ari", NOW, request_id=answered.id)
        resolved = c.log_email(s, "ari", wednesday_9, rules, customer="Springfield", summary="c")
        c.resolve(s, "ari", NOW, request_id=resolved.id)
        urgent = c.log_request(
            s, "ari", NOW, rules, channel="email", customer="Springfield", summary="d",
            contact="Mayor Quimby", emergency=True, received_at=wednesday_9,
        )  # fmt: skip
    assert waiting.due_at == ct(2026, 12, 2, 13)
    done = close(desk, date(2026, 12, 2))
    assert (done.record.number, done.retimed) == (1, 1)
    with desk.reading() as s:
        rows = {r.id: r for r in s.scalars(select(Request))}
        # Wednesday is closed now: 4 business hours from Thursday 07:00.
        assert rows[waiting.id].due_at == ct(2026, 12, 3, 11)
        assert rows[waiting.id].version == waiting.version + 1
        for left in (answered, resolved, urgent):
            assert rows[left.id].due_at == left.due_at
        events = s.scalars(select(Event).order_by(Event.id.desc()).limit(2)).all()
        record = current_policy(s)
    retimed, changed = events
    assert (changed.kind, changed.entity, changed.entity_id, changed.actor) == (
        "policy.changed", "policy", 1, "lena",
    )  # fmt: skip
    assert changed.after["reason"] == "ice storm"
    assert changed.after["document"]["holidays"]["add"] == {"2026-12-02": "Storm"}
    assert (retimed.kind, retimed.entity, retimed.entity_id) == (
        "request.retimed", "request", waiting.id,
    )  # fmt: skip
    assert retimed.before["due_at"] == ct(2026, 12, 2, 13).isoformat()
    assert retimed.after["due_at"] == ct(2026, 12, 3, 11).isoformat()
    assert record.policy.calendar.holiday_name(date(2026, 12, 2)) == "Storm"
    assert (record.created_by, record.reason) == ("lena", "ice storm")


@pytest.mark.parametrize(
    ("who", "edit", "error", "message"),
    [
        ("dora", partial(p.set_warning, fraction=0.5), PermissionDenied, "needs a lead"),
        ("lena", partial(p.set_weekday_hours, weekday="monday", hours="07:00-25:00"),
         InvalidInput, "desk.monday: 25:00: not a time of day"),
        ("lena", partial(p.set_weekday_hours, weekday="monday", hours="07:00-12:00,11:00-19:00"),
         InvalidInput, "07:00-12:00 overlaps 11:00-"),
        ("lena", partial(p.set_target, channel="email", minutes=-1, clock=None),
         InvalidInput, "sla.email.target_minutes: -1"),
        ("lena", partial(p.set_warning, fraction=0.25), InvalidInput, "nothing changed"),
    ],
)  # fmt: skip
def test_refusals_write_nothing(desk, rules, fingerprint_of, who, edit, error, message) -> None:
    with desk.session() as s:
        c.log_email(s, "ari", NOW, rules, customer="Springfield", summary="a")
    before = fingerprint_of(desk)
    with desk.session() as s, pytest.raises(error, match=message):
        change_policy(s, who, NOW, edit=edit, reason="why", what="a change")
    assert fingerprint_of(desk) == before


def test_the_sla_report_judges_a_request_by_the_version_of_its_receipt(desk, rules) -> None:
    # Tuesday 17:00, answered Wednesday 08:30: 2 h on Tuesday and 1.5 h on Wednesday.
    with desk.session() as s:
        view = c.log_email(
            s, "ari", ct(2026, 12, 1, 17), rules, customer="Springfield", summary="a"
        )
        c.respond(s, "ari", ct(2026, 12, 2, 8, 30), request_id=view.id)
    later = NOW + timedelta(days=1)
    close(desk, date(2026, 12, 1), at=later)  # closing last Tuesday afterwards
    with reports.snapshot(desk) as s:
        timeline = PolicyTimeline.read(s)
        kept = reports.sla_report(s, timeline, date(2026, 12, 1), date(2026, 12, 1), later)
        rewritten = reports.sla_report(
            s, timeline.current, date(2026, 12, 1), date(2026, 12, 1), later
        )
        assert policy_at(s, later).calendar.holiday_name(date(2026, 12, 1)) == "Storm"
    assert kept.total.median_minutes == Decimal("210.00")
    assert rewritten.total.median_minutes == Decimal("90.00")  # what a naive report says


def test_a_rate_change_never_reprices_old_work(desk, rules) -> None:
    saturday = ct(2026, 11, 28, 20)
    with desk.session() as s:
        view = c.log_email(s, "ari", saturday, rules, customer="Springfield", summary="a")
        c.record_billing_notice(s, "ari", saturday, request_id=view.id, method="phone")
        c.log_work(s, "ari", saturday + timedelta(hours=2), rules, request_id=view.id,
                   started_at=saturday, ended_at=saturday + timedelta(hours=1))  # fmt: skip
    with desk.session() as s:  # a lead backdates a new rate a week later
        change_policy(
            s, "lena", saturday + timedelta(days=7),
            edit=partial(p.add_rate, effective=date(2026, 11, 1), hourly=Decimal("300.00")),
            reason="new contract", what="rate add",
        )  # fmt: skip
    with desk.session() as s:  # and work on the next Saturday is at the new rate
        c.log_work(s, "ari", saturday + timedelta(days=8), rules, request_id=view.id,
                   started_at=saturday + timedelta(days=7, hours=2),
                   ended_at=saturday + timedelta(days=7, hours=3))  # fmt: skip
    with reports.snapshot(desk) as s:
        bill = reports.billing_report(
            s, PolicyTimeline.read(s), date(2026, 11, 1), date(2026, 12, 31)
        )
    (line,) = bill.customers[0].lines
    assert [(r.hourly, r.minutes) for r in line.rates] == [
        (Decimal("200.00"), Decimal("60.00")),
        (Decimal("300.00"), Decimal("60.00")),
    ]
    assert line.amount == Decimal("500.00")


def test_an_imported_first_version_applies_before_it_too(desk) -> None:
    imported = p.add_closure(p.default_document(), date(2026, 11, 30), "Old closure")
    with desk.session() as s:
        change_policy(s, "lena", NOW, edit=lambda _old: imported, reason="carry over",
                      what="import desk.toml")  # fmt: skip
    with desk.reading() as s:
        earlier = policy_at(s, NOW - timedelta(days=30))
    assert earlier.calendar.holiday_name(date(2026, 11, 30)) == "Old closure"

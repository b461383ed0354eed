"""Emergencies after hours (issue 7), through the write path at fixed instants, on both
databases: on-call routing, unverified ones verified or downgraded, and the gap alarm's
store side (nobody to assign, the coverage report shows the gap)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from console.store import commands as c
from console.store import reports
from console.store.db import Database
from console.store.errors import ConflictError, InvalidState, NotFound, PermissionDenied
from console.store.models import Event
from tests.store.test_reports import ct, work

#: Sunday 6 December 2026, 03:00 in Chicago: the desk is closed.
SUNDAY_3 = ct(2026, 12, 6, 3)
#: Wednesday 2 December 2026, 10:00: the desk is open.
WEDNESDAY_10 = ct(2026, 12, 2, 10)


@pytest.fixture
def on_call_desk(desk: Database) -> Database:
    """The desk with abe on call from Friday 19:00 to Monday 07:00."""
    with desk.session() as s:
        c.add_shift(
            s,
            "dora",
            WEDNESDAY_10,
            staff="abe",
            kind="on-call",
            starts_at=ct(2026, 12, 4, 19),
            ends_at=ct(2026, 12, 7, 7),
        )
    return desk


def emergency(desk: Database, rules, contact: str | None, at=SUNDAY_3, customer="Springfield"):
    with desk.session() as s:
        return c.log_voicemail(
            s,
            "ari",
            at,
            rules,
            customer=customer,
            contact=contact,
            summary="site down",
            emergency=True,
        )


def last_event(desk: Database) -> Event:
    with desk.session() as s:
        return s.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()


def test_a_designated_contacts_sunday_emergency_goes_to_the_on_call_agent(
    on_call_desk, rules
) -> None:
    view = emergency(on_call_desk, rules, "Mayor Quimby")
    assert (view.assignee, view.emergency, view.emergency_unverified) == ("abe", True, False)
    assert view.due_at == SUNDAY_3 + timedelta(hours=1)  # wall clock, at night too
    assert view.billing_state == "none"  # emergencies are free


def test_an_undesignated_one_is_left_unverified_then_verified(on_call_desk, rules) -> None:
    view = emergency(on_call_desk, rules, "Clerk Smithers")
    assert (view.assignee, view.emergency_unverified) == ("abe", True)
    # Unverified, it is still timed as an emergency on the wall clock.
    with reports.snapshot(on_call_desk) as session:
        sla = reports.sla_report(
            session,
            rules.policy,
            date(2026, 12, 6),
            date(2026, 12, 6),
            SUNDAY_3 + timedelta(minutes=10),
        )
    assert [(g.name, g.pending) for g in sla.by_channel] == [("emergency", 1)]
    with on_call_desk.session() as s:
        done = c.verify_emergency(
            s,
            "dora",
            SUNDAY_3 + timedelta(minutes=5),
            request_id=view.id,
            contact="mayor quimby",
            expected_version=view.version,
        )
    assert (done.contact, done.request.emergency_unverified) == ("Mayor Quimby", False)
    assert done.request.version == view.version + 1
    assert (done.request.due_at, done.request.assignee) == (view.due_at, "abe")
    event = last_event(on_call_desk)
    assert (event.kind, event.entity, event.entity_id, event.actor) == (
        "request.emergency-verified",
        "request",
        view.id,
        "dora",
    )
    assert event.before["emergency_unverified"] is True
    assert event.after["verified_with"] == {"contact_id": done.contact_id, "name": "Mayor Quimby"}


def test_a_downgraded_sunday_emergency_waits_for_monday_and_needs_a_billing_notice(
    on_call_desk, rules
) -> None:
    view = emergency(on_call_desk, rules, "Clerk Smithers")
    with on_call_desk.session() as s:
        down = c.downgrade_emergency(
            s, "lena", SUNDAY_3 + timedelta(minutes=5), rules, request_id=view.id
        )
    assert (down.emergency, down.emergency_unverified) == (False, False)
    assert down.due_at == ct(2026, 12, 7, 11)  # 4 business hours from Monday 07:00
    assert down.billing_state == "needs-notice"
    event = last_event(on_call_desk)
    assert event.kind == "request.emergency-downgraded"
    assert (event.before["emergency"], event.after["emergency"]) == (True, False)
    # From here on the billing rules apply: notice at 03:30, an hour's work after it.
    with on_call_desk.session() as s:
        c.record_billing_notice(
            s, "abe", ct(2026, 12, 6, 3, 30), request_id=view.id, method="phone"
        )
        work(s, rules, view.id, ct(2026, 12, 6, 3, 30), ct(2026, 12, 6, 4, 30), by="abe")
    with reports.snapshot(on_call_desk) as session:
        bill = reports.billing_report(session, rules.policy, date(2026, 12, 6), date(2026, 12, 6))
    assert (bill.minutes, bill.amount) == (Decimal("60.00"), Decimal("200.00"))


def test_a_downgrade_in_desk_hours_is_due_on_the_business_clock_and_not_billable(
    desk, rules
) -> None:
    view = emergency(desk, rules, None, at=WEDNESDAY_10)
    assert view.emergency_unverified and view.assignee is None  # the dispatcher routes it
    with desk.session() as s:
        down = c.downgrade_emergency(s, "dora", WEDNESDAY_10, rules, request_id=view.id)
    assert (down.due_at, down.billing_state) == (ct(2026, 12, 2, 14), "none")


def test_after_hours_work_already_logged_makes_a_downgrade_need_notice(desk, rules) -> None:
    view = emergency(desk, rules, None, at=ct(2026, 12, 2, 18, 30))
    with desk.session() as s:
        work(s, rules, view.id, ct(2026, 12, 2, 18, 45), ct(2026, 12, 2, 19, 15))
        down = c.downgrade_emergency(s, "dora", ct(2026, 12, 2, 19, 20), rules, request_id=view.id)
    assert down.billing_state == "needs-notice"


def test_an_emergency_in_an_on_call_gap_has_nobody_and_the_gap_shows(desk, rules) -> None:
    view = emergency(desk, rules, "Mayor Quimby")
    assert (view.assignee, view.emergency_unverified) == (None, False)
    with reports.snapshot(desk) as session:
        found = reports.coverage_report(session, rules.calendar, SUNDAY_3, days=1)
    assert found.gaps and found.gaps[0].start == SUNDAY_3  # nobody on call right now


REFUSED = [
    (
        "ari",
        "verify",
        {"contact": "Mayor Quimby"},
        PermissionDenied,
        "verifying emergencies needs a dispatcher or lead",
    ),
    ("ari", "downgrade", {}, PermissionDenied, "downgrading emergencies needs"),
    (
        "dora",
        "verify",
        {"contact": "Clerk Smithers"},
        InvalidState,
        "Clerk Smithers is not a designated emergency contact of Springfield (designated: Mayor",
    ),
    ("dora", "verify", {"contact": "Mayor Hooper"}, NotFound, "no contact 'Mayor Hooper'"),
    (
        "dora",
        "verify",
        {"contact": "Mayor Quimby", "expected_version": 7},
        ConflictError,
        "reload it",
    ),
    ("dora", "downgrade", {"expected_version": 7}, ConflictError, "reload it"),
]


@pytest.mark.parametrize(
    ("who", "action", "kwargs", "error", "message"), REFUSED, ids=lambda v: str(v)[:30]
)
def test_refusals_write_nothing(desk, rules, fingerprint_of, who, action, kwargs, error, message):
    view = emergency(desk, rules, "Clerk Smithers")
    before = fingerprint_of(desk)
    with desk.session() as s, pytest.raises(error, match=re.escape(message)):
        if action == "verify":
            c.verify_emergency(s, who, SUNDAY_3, request_id=view.id, **kwargs)
        else:
            c.downgrade_emergency(s, who, SUNDAY_3, rules, request_id=view.id, **kwargs)
    assert fingerprint_of(desk) == before


def test_only_open_unverified_emergencies_can_be_verified_or_downgraded(desk, rules) -> None:
    designated = emergency(desk, rules, "Mayor Quimby")
    with desk.session() as s:
        normal = c.log_email(s, "ari", SUNDAY_3, rules, customer="Springfield", summary="forms")
        with pytest.raises(InvalidState, match="already a verified emergency"):
            c.verify_emergency(
                s, "dora", SUNDAY_3, request_id=designated.id, contact="Mayor Quimby"
            )
        for verb in (c.verify_emergency, c.downgrade_emergency):
            args = (rules,) if verb is c.downgrade_emergency else ()
            extra = {} if args else {"contact": "Mayor Quimby"}
            with pytest.raises(InvalidState, match=f"request {normal.id} is not an emergency"):
                verb(s, "dora", SUNDAY_3, *args, request_id=normal.id, **extra)
        c.resolve(s, "ari", SUNDAY_3, request_id=designated.id)
        with pytest.raises(InvalidState, match="is resolved: cannot downgrade it"):
            c.downgrade_emergency(s, "dora", SUNDAY_3, rules, request_id=designated.id)
        with pytest.raises(NotFound, match="no request 999"):
            c.downgrade_emergency(s, "dora", SUNDAY_3, rules, request_id=999)

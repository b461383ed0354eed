"""Routine check-ins through the write path: the next date, its event, and refusals."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from console.store import commands as c
from console.store.db import Database
from console.store.errors import InvalidInput, NotFound
from console.store.models import Customer, Event
from tests.store.test_reports import ct

#: Sunday 6 December 2026, 23:30 in Chicago: already Monday 7 in UTC.
SUNDAY_LATE = ct(2026, 12, 6, 23, 30)


def next_check_in(desk: Database, name: str) -> date | None:
    with desk.session() as s:
        return s.scalars(select(Customer.next_check_in).where(Customer.municipality == name)).one()


def test_a_check_in_schedules_the_next_one_30_desk_local_days_ahead(desk, rules) -> None:
    with desk.session() as s:
        view = c.record_followup(s, "ari", SUNDAY_LATE, rules, customer="springfield")
    # Desk-local today is Sunday 6 December, not UTC's Monday 7.
    assert view.next_check_in == date(2027, 1, 5)
    assert (view.customer, view.by, view.previous_check_in) == ("Springfield", "ari", None)
    assert next_check_in(desk, "Springfield") == date(2027, 1, 5)
    with desk.session() as s:
        event = s.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
    assert (event.kind, event.entity, event.entity_id, event.actor) == (
        "customer.checked-in",
        "customer",
        view.customer_id,
        "ari",
    )
    assert event.before["next_check_in"] is None
    assert event.after["next_check_in"] == "2027-01-05"
    assert event.at == SUNDAY_LATE


def test_a_given_date_or_number_of_days_wins(desk, rules) -> None:
    with desk.session() as s:
        c.record_followup(
            s, "abe", SUNDAY_LATE, rules, customer="Shelbyville", next_date=date(2026, 12, 20)
        )
        view = c.record_followup(
            s, "abe", SUNDAY_LATE, rules, customer="Shelbyville", default_days=7
        )
    assert (view.previous_check_in, view.next_check_in) == (date(2026, 12, 20), date(2026, 12, 13))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"customer": "Ogdenville"}, NotFound, "no customer 'Ogdenville'"),
        (
            {"customer": "Springfield", "next_date": date(2026, 12, 6)},
            InvalidInput,
            "not after today (2026-12-06)",
        ),
        ({"customer": "Springfield", "next_date": date(2040, 1, 1)}, InvalidInput, "days ahead"),
        ({"customer": "Springfield", "default_days": 0}, InvalidInput, "must be 1 to"),
    ],
)
def test_refusals_write_nothing(desk, rules, fingerprint_of, kwargs, error, message) -> None:
    before = fingerprint_of(desk)
    with desk.session() as s, pytest.raises(error, match=re.escape(message)):
        c.record_followup(s, "ari", SUNDAY_LATE, rules, **kwargs)
    assert fingerprint_of(desk) == before


def test_only_desk_staff_record_check_ins(desk, rules) -> None:
    with desk.session() as s, pytest.raises(NotFound, match="no active acting staff"):
        c.record_followup(s, "ghost", SUNDAY_LATE, rules, customer="Springfield")
    # Any role may (liaisons are agents), from any department.
    with desk.session() as s:
        view = c.record_followup(s, "cara", SUNDAY_LATE, rules, customer="Springfield")
    assert view.by == "cara"

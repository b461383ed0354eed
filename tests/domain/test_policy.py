"""The policy document: defaults are the contract, values reach the domain, bad values and
bad edits are refused in one line naming the key, and an edit never half-applies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from console.domain import policy as p
from console.domain.sla import Channel, ClockKind, Target


def test_defaults_are_the_contract() -> None:
    policy = p.Policy.defaults()
    assert policy.calendar.zone.key == "America/Chicago"
    assert policy.sla_rules.target("email") == Target(240, ClockKind.BUSINESS)
    assert policy.sla_rules.target("portal", emergency=True) == Target(60, ClockKind.WALL)
    assert policy.sla_rules.warning_fraction == 0.25
    assert policy.rates[0].hourly == Decimal("200.00")
    assert p.normalise({}) == p.default_document() == policy.document


def test_a_toml_shaped_document_reaches_the_domain() -> None:
    doc = {
        "desk": {"zone": "America/New_York", "friday": "08:00-16:00", "saturday": "09:00-12:00"},
        "holidays": {
            "add": {"2026-11-27": "Day after Thanksgiving"},
            "remove": [date(2026, 10, 12)],
        },
        "sla": {"portal": {"target_minutes": 480}},
        "billing": {"rates": [{"effective": date(2020, 1, 1), "hourly": 200}]},
    }
    policy = p.Policy.from_document(doc)
    assert policy.calendar.zone.key == "America/New_York"
    assert policy.calendar.holiday_name(date(2026, 11, 27)) == "Day after Thanksgiving"
    assert policy.calendar.holiday_name(date(2026, 10, 12)) is None
    assert policy.sla_rules.target("portal") == Target(480, ClockKind.BUSINESS)  # clock kept
    assert policy.document["billing"]["rates"] == [{"effective": "2020-01-01", "hourly": "200.00"}]
    # Saturday 2026-12-05 09:30 New York is open under this policy.
    assert policy.calendar.is_open(datetime(2026, 12, 5, 14, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"desk": {"zonee": "UTC"}}, "unknown key 'desk.zonee'"),
        ({"desks": {}}, "unknown key 'desks'"),
        ({"desk": {"zone": "Mars/Base"}}, "desk.zone: unknown time zone 'Mars/Base'"),
        ({"desk": {"monday": "07:00-25:00"}}, "desk.monday: 25:00: not a time of day"),
        ({"desk": {"monday": "19:00-07:00"}}, "ends before it starts"),
        ({"desk": {"monday": "07:00-12:00,11:00-14:00"}}, "07:00-12:00 overlaps 11:00-"),
        ({"sla": {"email": {"target_minutes": -5}}}, "sla.email.target_minutes: -5"),
        ({"sla": {"email": {"clock": "sundial"}}}, "sla.email.clock"),
        ({"sla": {"warning_fraction": 1.5}}, "sla.warning_fraction"),
        ({"holidays": {"country": "ZZ"}}, "holidays.country"),
        ({"billing": {"rates": []}}, "billing.rates"),
        ({"dated": {"2026-13-01": "closed"}}, "dated.2026-13-01"),
        ({"desk": {d: "closed" for d in p.WEEKDAYS}}, "at least one weekday"),
    ],
)
def test_bad_documents_are_refused_in_one_line(doc: dict, message: str) -> None:
    with pytest.raises(p.PolicyError) as caught:
        p.Policy.from_document(doc)
    assert "\n" not in str(caught.value)
    assert message in str(caught.value)


def test_edits_return_a_new_document_and_leave_the_old_one() -> None:
    old = p.default_document()
    closed = p.add_closure(old, date(2026, 12, 1), "Storm")
    assert old == p.default_document()
    assert p.Policy(closed).calendar.holiday_name(date(2026, 12, 1)) == "Storm"
    assert p.remove_closure(closed, date(2026, 12, 1)) == old
    worked = p.work_holiday(old, date(2026, 11, 26))
    assert p.Policy(worked).calendar.holiday_name(date(2026, 11, 26)) is None
    later = p.add_rate(old, date(2027, 1, 1), Decimal("225.5"))
    assert [r.hourly for r in p.Policy(later).rates] == [Decimal("200.00"), Decimal("225.50")]
    wall = p.set_target(old, "email", 60, "wall")
    assert p.Policy(wall).sla_rules.target(Channel.EMAIL) == Target(60, ClockKind.WALL)
    assert p.Policy(p.set_warning(old, 0.5)).sla_rules.warning_fraction == 0.5


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: p.set_weekday_hours(d, "monday", "25:00-26:00"), "25:00: not a time of day"),
        (lambda d: p.set_weekday_hours(d, "funday", "closed"), "not a weekday"),
        (lambda d: p.set_dated_hours(d, date(2026, 12, 24), "07:00-12:00,11:00-13:00"), "overlaps"),
        (lambda d: p.set_target(d, "email", -1, None), "target_minutes: -1"),
        (lambda d: p.set_warning(d, 0.0), "warning_fraction"),
        (lambda d: p.remove_closure(d, date(2026, 12, 1)), "no closure on 2026-12-01"),
        (lambda d: p.work_holiday(d, date(2026, 12, 1)), "not a holiday"),
        (lambda d: p.add_rate(d, date(2020, 1, 1), Decimal(1)), "already takes effect"),
        (lambda d: p.add_rate(d, date(2027, 1, 1), Decimal("-3")), "hourly"),
        (lambda d: p.add_rate(d, date(2027, 1, 1), Decimal("1.001")), "two decimal places"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(edit, message: str) -> None:
    doc = p.default_document()
    with pytest.raises(p.PolicyError, match=message):
        edit(doc)
    assert doc == p.default_document()

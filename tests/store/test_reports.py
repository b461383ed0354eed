"""Reports against hand-computed figures, on both databases, with data made through the
write path at fixed instants (issue 7's scenarios)."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from console.domain.policy import Policy, add_rate
from console.store import commands as c
from console.store import reports
from console.store.commands import Rules
from console.store.db import Database
from console.store.errors import InvalidInput, NotFound

#: Desk-local (Chicago, CST = UTC-6 in December) wall-clock times used below.
CHICAGO = timedelta(hours=6)


def ct(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Chicago wall-clock time in winter, as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) + CHICAGO


#: Saturday 28 November 2026, 22:00 in Chicago: the desk is closed.
SATURDAY_22 = ct(2026, 11, 28, 22)
#: Friday 4 December 2026, 18:30: half an hour before the desk closes.
FRIDAY_1830 = ct(2026, 12, 4, 18, 30)


def two_rate_policy() -> Policy:
    """$200/h until Saturday 12 December 2026, $250/h from desk-local midnight after it."""
    return Policy(add_rate(Policy.defaults().document, date(2026, 12, 13), Decimal("250.00")))


def saturday_voicemail(desk: Database, rules: Rules) -> int:
    """Saturday 22:00 voicemail: 30 min worked before the notice, 90 after (till 00:45)."""
    later = SATURDAY_22 + timedelta(hours=4)
    with desk.session() as s:
        view = c.log_voicemail(
            s,
            "ari",
            SATURDAY_22,
            rules,
            customer="Springfield",
            summary="forms broken",
            received_at=SATURDAY_22,
        )
        assert view.billing_state == "needs-notice"
        work(s, rules, view.id, ct(2026, 11, 28, 22, 5), ct(2026, 11, 28, 22, 35))
        c.record_billing_notice(
            s, "ari", later, request_id=view.id, method="phone", at=ct(2026, 11, 28, 22, 40)
        )
        work(s, rules, view.id, ct(2026, 11, 28, 23, 15), ct(2026, 11, 29, 0, 45))
    return view.id


def friday_voicemail(desk: Database, rules: Rules) -> int:
    """Friday 18:30 voicemail, worked 18:30-19:30, the notice given at 18:30."""
    with desk.session() as s:
        view = c.log_voicemail(
            s, "abe", FRIDAY_1830, rules, customer="Shelbyville", summary="export"
        )
        assert view.billing_state == "none"
        done = FRIDAY_1830 + timedelta(hours=1, minutes=1)
        logged = work(s, rules, view.id, FRIDAY_1830, FRIDAY_1830 + timedelta(hours=1), by="abe")
        assert logged.billing_state == "needs-notice"
        c.record_billing_notice(s, "abe", done, request_id=view.id, method="email", at=FRIDAY_1830)
    return view.id


def work(s, rules: Rules, request_id: int, start: datetime, end: datetime, by: str = "ari"):
    """Log work through the write path a minute after it ended."""
    return c.log_work(
        s,
        by,
        end + timedelta(minutes=1),
        rules,
        request_id=request_id,
        started_at=start,
        ended_at=end,
    )


def billing(desk: Database, rules: Rules, first: date, last: date, **kw) -> reports.BillingReport:
    with reports.snapshot(desk) as session:
        policy = kw.pop("policy", None) or rules.policy
        return reports.billing_report(session, policy, first, last, **kw)


def test_saturday_night_bills_only_the_90_minutes_after_the_notice(desk, rules) -> None:
    request_id = saturday_voicemail(desk, rules)
    report = billing(desk, rules, date(2026, 11, 28), date(2026, 11, 29))
    (customer,) = report.customers
    (line,) = customer.lines
    assert (customer.customer, line.request_id) == ("Springfield", request_id)
    assert line.minutes == Decimal("90.00")
    assert line.amount == Decimal("300.00")
    assert [(r.hourly, r.minutes) for r in line.rates] == [(Decimal("200.00"), Decimal("90.00"))]
    assert (line.notice_at, line.notice_method, line.notice_by) == (
        ct(2026, 11, 28, 22, 40),
        "phone",
        "ari",
    )
    assert (report.minutes, report.amount) == (Decimal("90.00"), Decimal("300.00"))


def test_work_is_clipped_to_the_period_in_desk_local_dates(desk, rules) -> None:
    saturday_voicemail(desk, rules)
    saturday = billing(desk, rules, date(2026, 11, 28), date(2026, 11, 28))
    sunday = billing(desk, rules, date(2026, 11, 29), date(2026, 11, 29))
    # 23:15-24:00 on Saturday, 00:00-00:45 on Sunday (desk-local midnight, not UTC's).
    assert (saturday.minutes, saturday.amount) == (Decimal("45.00"), Decimal("150.00"))
    assert (sunday.minutes, sunday.amount) == (Decimal("45.00"), Decimal("150.00"))
    assert billing(desk, rules, date(2026, 11, 30), date(2026, 12, 1)).customers == ()


def test_friday_evening_bills_only_the_half_hour_after_closing(desk, rules) -> None:
    friday_voicemail(desk, rules)
    report = billing(desk, rules, date(2026, 12, 4), date(2026, 12, 4))
    (line,) = report.customers[0].lines
    assert (line.minutes, line.amount) == (Decimal("30.00"), Decimal("100.00"))


def test_totals_per_customer_and_overall_with_a_customer_filter(desk, rules) -> None:
    saturday_voicemail(desk, rules)
    friday_voicemail(desk, rules)
    report = billing(desk, rules, date(2026, 11, 1), date(2026, 12, 31))
    assert [(c.customer, c.minutes, c.amount) for c in report.customers] == [
        ("Shelbyville", Decimal("30.00"), Decimal("100.00")),
        ("Springfield", Decimal("90.00"), Decimal("300.00")),
    ]
    assert (report.minutes, report.amount) == (Decimal("120.00"), Decimal("400.00"))
    only = billing(desk, rules, date(2026, 11, 1), date(2026, 12, 31), customer="shelbyville")
    assert [c.customer for c in only.customers] == ["Shelbyville"]
    assert only.amount == Decimal("100.00")
    with pytest.raises(NotFound, match="no customer 'Ogdenville'"):
        billing(desk, rules, date(2026, 11, 1), date(2026, 12, 31), customer="Ogdenville")


def test_a_rate_change_at_midnight_between_two_work_logs(desk, tmp_path) -> None:
    policy = two_rate_policy()
    rules = Rules.defaults()
    received = ct(2026, 12, 12, 22)  # Saturday
    with desk.session() as s:
        view = c.log_email(s, "ari", received, rules, customer="Springfield", summary="map")
        c.record_billing_notice(s, "ari", received, request_id=view.id, method="phone")
        work(s, rules, view.id, ct(2026, 12, 12, 23), ct(2026, 12, 12, 23, 30))
        work(s, rules, view.id, ct(2026, 12, 13, 0, 30), ct(2026, 12, 13, 1))
        # One more log that runs across midnight: half at each rate.
        work(s, rules, view.id, ct(2026, 12, 12, 23, 45), ct(2026, 12, 13, 0, 15))
    report = billing(desk, rules, date(2026, 12, 12), date(2026, 12, 13), policy=policy)
    (line,) = report.customers[0].lines
    assert [(r.hourly, r.minutes) for r in line.rates] == [
        (Decimal("200.00"), Decimal("45.00")),
        (Decimal("250.00"), Decimal("45.00")),
    ]
    # 45 min at $200 = $150, 45 min at $250 = $187.50
    assert (line.minutes, line.amount) == (Decimal("90.00"), Decimal("337.50"))


def test_emergencies_declines_and_unnoticed_work_are_never_billed(desk, rules) -> None:
    later = SATURDAY_22 + timedelta(hours=3)
    with desk.session() as s:
        urgent = c.log_voicemail(
            s,
            "ari",
            SATURDAY_22,
            rules,
            customer="Springfield",
            contact="Mayor Quimby",
            summary="down",
            emergency=True,
        )
        unnoticed = c.log_email(s, "ari", SATURDAY_22, rules, customer="Springfield", summary="x")
        declined = c.log_email(s, "ari", SATURDAY_22, rules, customer="Shelbyville", summary="y")
        c.record_decline(s, "abe", SATURDAY_22, request_id=declined.id)
        for request_id in (urgent.id, unnoticed.id, declined.id):
            work(s, rules, request_id, SATURDAY_22, later)
    assert billing(desk, rules, date(2026, 11, 28), date(2026, 11, 29)).customers == ()


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (date(2026, 12, 5), date(2026, 12, 1), "starts (2026-12-05) after it ends (2026-12-01)"),
        (date(2025, 1, 1), date(2026, 12, 31), "longer than 366 days"),
    ],
)
def test_bad_periods_are_refused(desk, rules, first, last, message) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        billing(desk, rules, first, last)


# -- response times ----------------------------------------------------------------------


def test_sla_report_per_channel_and_customer_against_hand_computed_figures(desk, rules) -> None:
    monday_9 = ct(2026, 11, 30, 9)
    with desk.session() as s:

        def email(customer: str, received: datetime, answered: timedelta | None) -> int:
            view = c.log_email(s, "ari", received, rules, customer=customer, summary="s")
            if answered is not None:
                c.respond(s, "ari", received + answered, request_id=view.id)
            return view.id

        email("Springfield", monday_9, timedelta(hours=1))  # met, 60 min
        email("Springfield", monday_9, timedelta(hours=3))  # met, 180 min
        late = email("Shelbyville", monday_9, timedelta(hours=5))  # breached by 60 min
        email("Shelbyville", ct(2026, 12, 1, 18), None)  # due Wed 10:00: pending at the report
        # Friday 18:00 e-mail answered Monday 08:00: 1 h + 1 h of business time, met.
        email("Springfield", ct(2026, 12, 4, 18), timedelta(hours=62))
        # An emergency on the wall clock: 30 minutes on a Sunday night, met.
        sunday = ct(2026, 12, 6, 23)
        urgent = c.log_voicemail(
            s,
            "ari",
            sunday,
            rules,
            customer="Springfield",
            contact="Mayor Quimby",
            summary="down",
            emergency=True,
        )
        c.respond(s, "ari", sunday + timedelta(minutes=30), request_id=urgent.id)
        # An unanswered emergency, overdue at the report time.
        missed = c.log_voicemail(
            s,
            "ari",
            sunday,
            rules,
            customer="Shelbyville",
            contact="Mayor Hooper",
            summary="down",
            emergency=True,
        )
        c.log_call_answered(s, "ari", monday_9, rules, customer="Springfield", summary="hi")
    at = ct(2026, 12, 1, 19)  # Tuesday evening: the Tue 18:00 e-mail is still pending
    with reports.snapshot(desk) as session:
        report = reports.sla_report(
            session, rules.policy, date(2026, 11, 30), date(2026, 12, 1), at
        )
    channels = {g.name: g for g in report.by_channel}
    assert set(channels) == {"email"}
    email_group = channels["email"]
    assert (email_group.requests, email_group.met, email_group.breached, email_group.pending) == (
        4,
        2,
        1,
        1,
    )
    assert email_group.compliance == Decimal("66.7")
    # Responses 60, 180, 300 min: median 180, p90 (nearest rank 3 of 3) 300.
    assert (email_group.median_minutes, email_group.p90_minutes) == (
        Decimal("180.00"),
        Decimal("300.00"),
    )
    assert report.untimed == 1
    # The charts: every request received (the live call too) by its desk hour; the three
    # e-mail responses (60, 180, 300 min) by how long they took.
    assert sum(report.arrivals_by_hour) == 5
    assert report.response_buckets == (0, 1, 0, 1, 0, 1)
    (breach,) = report.breaches
    assert (breach.request_id, breach.clock, breach.overdue_minutes) == (
        late,
        "business",
        Decimal("60.00"),
    )

    at = ct(2026, 12, 7, 12)  # Monday noon
    with reports.snapshot(desk) as session:
        week = reports.sla_report(session, rules.policy, date(2026, 11, 30), date(2026, 12, 7), at)
    channels = {g.name: g for g in week.by_channel}
    # Met: 60, 180 and Friday's 120; breached: 300 and Tuesday's (due Wed 10:00, unanswered).
    assert (channels["email"].requests, channels["email"].met, channels["email"].breached) == (
        5,
        3,
        2,
    )
    assert channels["email"].median_minutes == Decimal("150.00")  # 60, 120, 180, 300
    urgent_group = channels["emergency"]
    assert (urgent_group.requests, urgent_group.met, urgent_group.breached) == (2, 1, 1)
    assert urgent_group.median_minutes == Decimal("30.00")
    customers = {g.name: g for g in week.by_customer}
    assert (customers["Springfield"].met, customers["Springfield"].breached) == (4, 0)
    assert customers["Springfield"].compliance == Decimal("100.0")
    assert (customers["Shelbyville"].met, customers["Shelbyville"].breached) == (0, 3)
    assert week.total.requests == 7 and week.total.compliance == Decimal("57.1")
    by_id = {b.request_id: b for b in week.breaches}
    # Due Sunday 24:00 (wall clock), unanswered at Monday 12:00: 12 hours over.
    assert (by_id[missed.id].clock, by_id[missed.id].overdue_minutes) == ("wall", Decimal("720.00"))
    assert by_id[missed.id].first_response_at is None


# -- coverage ----------------------------------------------------------------------------


def test_coverage_finds_gaps_and_overlapping_shifts(desk, rules) -> None:
    friday_19 = ct(2026, 12, 4, 19)
    with desk.session() as s:
        c.add_shift(
            s,
            "dora",
            friday_19,
            staff="abe",
            kind="on-call",
            starts_at=friday_19,
            ends_at=ct(2026, 12, 5, 19),
        )
        # Saturday 19:00 to Sunday 07:00 nobody; Sunday 07:00 to Monday 07:00 ari.
        c.add_shift(
            s,
            "dora",
            friday_19,
            staff="ari",
            kind="on-call",
            starts_at=ct(2026, 12, 6, 7),
            ends_at=ct(2026, 12, 7, 7),
        )
        # ari double-booked Monday morning (duty from 06:00), and a second on-call person.
        c.add_shift(
            s,
            "dora",
            friday_19,
            staff="ari",
            kind="duty",
            starts_at=ct(2026, 12, 7, 6),
            ends_at=ct(2026, 12, 7, 14),
        )
        c.add_shift(
            s,
            "dora",
            friday_19,
            staff="dora",
            kind="on-call",
            starts_at=ct(2026, 12, 6, 22),
            ends_at=ct(2026, 12, 6, 23),
        )
        c.add_shift(
            s,
            "dora",
            friday_19,
            staff="abe",
            kind="duty",
            starts_at=ct(2026, 12, 7, 7),
            ends_at=ct(2026, 12, 7, 15),
        )
    with reports.snapshot(desk) as session:
        report = reports.coverage_report(session, rules.calendar, friday_19, days=3)
    assert [(g.start, g.end, g.minutes) for g in report.gaps] == [
        (ct(2026, 12, 5, 19), ct(2026, 12, 6, 7), Decimal("720.00")),
    ]
    found = {(o.kind, o.first.staff, o.second.staff, o.start, o.end) for o in report.overlaps}
    assert found == {
        ("on-call", "ari", "dora", ct(2026, 12, 6, 22), ct(2026, 12, 6, 23)),
        ("same-person", "ari", "ari", ct(2026, 12, 7, 6), ct(2026, 12, 7, 7)),
    }
    with reports.snapshot(desk) as session, pytest.raises(InvalidInput, match="1 to 60"):
        reports.coverage_report(session, rules.calendar, friday_19, days=0)


# -- reading never blocks writing --------------------------------------------------------


def test_an_open_report_snapshot_does_not_block_a_writer(desk, rules) -> None:
    saturday_voicemail(desk, rules)
    done = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with desk.session() as s:
                c.log_email(s, "ari", SATURDAY_22, rules, customer="Springfield", summary="w")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            done.set()

    with reports.snapshot(desk) as session:
        first = reports.billing_report(
            session, rules.policy, date(2026, 11, 28), date(2026, 11, 29)
        )
        writer = threading.Thread(target=write)
        writer.start()
        assert done.wait(5), "a writer waited for the report"
        assert not errors
        # Still the same snapshot: the report's reads are repeatable.
        again = reports.sla_report(
            session, rules.policy, date(2026, 11, 28), date(2026, 11, 29), SATURDAY_22
        )
        assert again.total.requests == 1
    writer.join()
    assert first.amount == Decimal("300.00")


@pytest.mark.postgres
def test_on_postgres_a_report_reads_in_a_repeatable_read_read_only_transaction(
    postgres_url: str,
) -> None:
    from sqlalchemy import text

    from console.store.db import open_database

    database = open_database(postgres_url)
    try:
        with reports.snapshot(database) as session:
            isolation = session.execute(text("SHOW transaction_isolation")).scalar_one()
            read_only = session.execute(text("SHOW transaction_read_only")).scalar_one()
    finally:
        database.dispose()
    assert (isolation, read_only) == ("repeatable read", "on")

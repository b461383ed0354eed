"""After-hours billing (POLICY.md section 4), with the scenarios of the after-hours issue."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from console.domain.billing import (
    NoRateError,
    Rate,
    Work,
    billable,
    needs_billing_notice,
    rate_at,
)
from console.domain.calendar import DeskCalendar
from tests.domain.conftest import ct

RATES = (Rate(date(2020, 1, 1), Decimal("200.00")),)


def test_saturday_night_voicemail_bills_only_after_the_notice(calendar: DeskCalendar) -> None:
    received = ct(2026, 12, 5, 22)
    assert needs_billing_notice(calendar, emergency=False, received_at=received)
    notice = ct(2026, 12, 5, 22, 30)
    work = [Work(ct(2026, 12, 5, 22), ct(2026, 12, 6, 0))]  # 30 min before, 90 after
    result = billable(calendar, RATES, work, notice)
    assert result.time == timedelta(minutes=90)
    assert result.minutes == 90
    assert result.amount == Decimal("300.00")


def test_only_the_part_outside_desk_hours_is_billable(calendar: DeskCalendar) -> None:
    # Friday: notice given at 18:30, work from 18:30 to 19:30: 30 min after closing.
    work = [Work(ct(2026, 12, 4, 18, 30), ct(2026, 12, 4, 19, 30))]
    result = billable(calendar, RATES, work, ct(2026, 12, 4, 18, 30))
    assert result.time == timedelta(minutes=30)
    assert result.amount == Decimal("100.00")


def test_without_a_notice_nothing_is_billable(calendar: DeskCalendar) -> None:
    work = [Work(ct(2026, 12, 5, 22), ct(2026, 12, 6, 0))]
    assert billable(calendar, RATES, work, None).amount == Decimal("0.00")


def test_rate_change_at_midnight_splits_the_work(calendar: DeskCalendar) -> None:
    rates = (*RATES, Rate(date(2026, 12, 6), Decimal("250.00")))
    work = [
        Work(ct(2026, 12, 5, 23), ct(2026, 12, 5, 23, 30)),  # Saturday: old rate
        Work(ct(2026, 12, 6, 0, 30), ct(2026, 12, 6, 1)),  # Sunday: new rate
        Work(ct(2026, 12, 5, 23, 45), ct(2026, 12, 6, 0, 15)),  # across midnight: 15 + 15
    ]
    result = billable(calendar, rates, work, ct(2026, 12, 5, 22))
    assert result.time == timedelta(minutes=90)
    # 45 min at 200 = 150; 45 min at 250 = 187.50
    assert result.amount == Decimal("337.50")
    assert rate_at(rates, calendar, ct(2026, 12, 6, 0)) == Decimal("250.00")
    assert rate_at(rates, calendar, ct(2026, 12, 5, 23, 59)) == Decimal("200.00")


def test_amount_is_rounded_to_the_cent_once(calendar: DeskCalendar) -> None:
    # Three 1-minute pieces at 200/h: 3.333... each, 10.00 in total, not 9.99.
    work = [Work(ct(2026, 12, 5, 22, m), ct(2026, 12, 5, 22, m + 1)) for m in (0, 10, 20)]
    assert billable(calendar, RATES, work, ct(2026, 12, 5, 21)).amount == Decimal("10.00")


def test_emergencies_and_desk_hours_need_no_notice(calendar: DeskCalendar) -> None:
    assert not needs_billing_notice(calendar, emergency=True, received_at=ct(2026, 12, 5, 22))
    assert not needs_billing_notice(calendar, emergency=False, received_at=ct(2026, 12, 7, 9))
    late_work = [Work(ct(2026, 12, 7, 18), ct(2026, 12, 7, 20))]
    assert needs_billing_notice(
        calendar, emergency=False, received_at=ct(2026, 12, 7, 9), work=late_work
    )


def test_work_before_the_first_rate_is_an_error(calendar: DeskCalendar) -> None:
    rates = (Rate(date(2027, 1, 1), Decimal("200.00")),)
    with pytest.raises(NoRateError):
        billable(
            calendar, rates, [Work(ct(2026, 12, 5, 22), ct(2026, 12, 5, 23))], ct(2026, 12, 5, 21)
        )


def test_work_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        Work(ct(2026, 12, 5, 23), ct(2026, 12, 5, 22))

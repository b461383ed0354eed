"""The billing report: billable after-hours time and money per customer (POLICY.md s. 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from console.domain.billing import Billable, NoRateError, Work, billable, combined
from console.domain.policy import Policy
from console.store.commands.base import customer_named
from console.store.errors import InvalidInput
from console.store.models import BillingNotice, Customer, Request, Staff, WorkLog
from console.store.policy import PolicyTimeline
from console.store.reports.common import ZERO, Period, minutes, period

# -- billing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLine:
    """Billable minutes of one request at one hourly rate."""

    hourly: Decimal
    minutes: Decimal


@dataclass(frozen=True)
class BillingLine:
    """One billable request: its notice, its billable time in the period and the amount."""

    request_id: int
    customer: str
    channel: str
    summary: str
    received_at: datetime
    notice_at: datetime
    notice_method: str
    notice_by: str
    minutes: Decimal
    rates: tuple[RateLine, ...]
    amount: Decimal


@dataclass(frozen=True)
class CustomerBilling:
    customer_id: int
    customer: str
    lines: tuple[BillingLine, ...]
    minutes: Decimal
    amount: Decimal


@dataclass(frozen=True)
class BillingReport:
    period: Period
    customers: tuple[CustomerBilling, ...]
    minutes: Decimal
    amount: Decimal


def billing_report(
    session: Session,
    policy: Policy | PolicyTimeline,
    from_date: date,
    to_date: date,
    customer: str | int | None = None,
) -> BillingReport:
    """Per customer, each request with billable after-hours time in the period.

    Work is clipped to the period; `console.domain.billing.billable` keeps the part after
    the billing notice and outside desk hours, at each day's rate, and rounds each
    request's amount to the cent once. Totals add up those amounts, so the lines of an
    invoice sum to its total. Emergencies are free and never appear. With a timeline,
    each piece of work is judged by the policy version in effect when it started (its
    hours and its rates), so a later change never re-prices old work.
    """
    timeline = PolicyTimeline.of(policy)
    span = period(timeline.current.calendar, from_date, to_date)
    owner = customer_named(session, customer) if customer is not None else None
    wanted: list[ColumnElement[bool]] = [Request.emergency.is_(False)]
    if owner is not None:
        wanted.append(Request.customer_id == owner.id)
    work_rows = session.execute(
        select(
            Request.id,
            Request.customer_id,
            Customer.municipality,
            Request.channel,
            Request.summary,
            Request.received_at,
            WorkLog.started_at,
            WorkLog.ended_at,
        )
        .join(WorkLog, WorkLog.request_id == Request.id)
        .join(Customer, Customer.id == Request.customer_id)
        .where(
            *wanted,
            exists().where(BillingNotice.request_id == Request.id),
            WorkLog.started_at < span.end,
            WorkLog.ended_at > span.start,
        )
        .order_by(Request.id, WorkLog.started_at, WorkLog.id)
    ).all()
    notices: dict[int, tuple[datetime, str, str]] = {}
    for request_id, given_at, method, handle in session.execute(
        select(
            BillingNotice.request_id,
            BillingNotice.given_at,
            BillingNotice.method,
            # A notice accepted on the portal has no staff member: it reads "portal".
            func.coalesce(Staff.handle, BillingNotice.method),
        )
        .join(Request, Request.id == BillingNotice.request_id)
        .outerjoin(Staff, Staff.id == BillingNotice.given_by_id)
        .where(*wanted)
        .order_by(BillingNotice.given_at, BillingNotice.id)
    ):
        notices.setdefault(request_id, (given_at, method, handle))  # the first notice counts
    work: dict[int, list[Work]] = {}
    about: dict[int, tuple[Any, ...]] = {}
    for request_id, customer_id, name, channel, summary, received, started, ended in work_rows:
        about[request_id] = (customer_id, name, channel, summary, received)
        work.setdefault(request_id, []).append(Work(max(started, span.start), min(ended, span.end)))
    by_customer: dict[int, list[BillingLine]] = {}
    names: dict[int, str] = {}
    for request_id, pieces in work.items():
        notice_at, method, handle = notices[request_id]
        try:
            result = _billable(timeline, pieces, notice_at)
        except NoRateError as exc:
            raise InvalidInput(f"request {request_id}: {exc}") from None
        if not result.parts:
            continue
        customer_id, name, channel, summary, received = about[request_id]
        names[customer_id] = name
        by_customer.setdefault(customer_id, []).append(
            BillingLine(
                request_id=request_id,
                customer=name,
                channel=channel,
                summary=summary,
                received_at=received,
                notice_at=notice_at,
                notice_method=method,
                notice_by=handle,
                minutes=minutes(result.time),
                rates=_rate_lines(result),
                amount=result.amount,
            )
        )
    customers = tuple(
        CustomerBilling(
            customer_id=customer_id,
            customer=names[customer_id],
            lines=tuple(lines),
            minutes=sum((line.minutes for line in lines), Decimal("0.00")),
            amount=sum((line.amount for line in lines), Decimal("0.00")),
        )
        for customer_id, lines in sorted(by_customer.items(), key=lambda i: names[i[0]].lower())
    )
    return BillingReport(
        period=span,
        customers=customers,
        minutes=sum((c.minutes for c in customers), Decimal("0.00")),
        amount=sum((c.amount for c in customers), Decimal("0.00")),
    )


def _billable(timeline: PolicyTimeline, pieces: list[Work], notice_at: datetime) -> Billable:
    by_version: dict[int, tuple[Policy, list[Work]]] = {}
    for piece in pieces:
        applies = timeline.at(piece.start)
        by_version.setdefault(id(applies), (applies, []))[1].append(piece)
    results = [
        billable(applies.calendar, applies.rates, work, notice_at)
        for applies, work in by_version.values()
    ]
    return results[0] if len(results) == 1 else combined(results)


def _rate_lines(result: Billable) -> tuple[RateLine, ...]:
    spent: dict[Decimal, timedelta] = {}
    for part in result.parts:
        spent[part.hourly] = spent.get(part.hourly, ZERO) + part.duration
    return tuple(RateLine(hourly, minutes(spent[hourly])) for hourly in sorted(spent))

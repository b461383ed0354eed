"""The response-time report: met and breached targets per channel and customer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.charts import arrivals_by_hour, response_buckets
from console.domain.policy import Policy
from console.domain.sla import ClockKind, TimerState
from console.store.models import Customer, Request
from console.store.policy import PolicyTimeline
from console.store.reports.common import ZERO, Period, minutes, period

# -- response times --------------------------------------------------------------------


@dataclass(frozen=True)
class SlaGroup:
    """Timed requests of one channel (or customer) received in the period.

    `pending` ones are neither met nor breached yet and count in neither; compliance is
    met / (met + breached) in percent. Response times are in minutes, each request on
    its own clock, over the requests that had their first response.
    """

    name: str
    requests: int
    met: int
    breached: int
    pending: int
    compliance: Decimal | None
    median_minutes: Decimal | None
    p90_minutes: Decimal | None


@dataclass(frozen=True)
class Breach:
    request_id: int
    customer: str
    channel: str
    clock: str
    received_at: datetime
    due_at: datetime
    first_response_at: datetime | None
    #: How far past due, on the request's clock (still counting when not responded).
    overdue_minutes: Decimal


@dataclass(frozen=True)
class SlaReport:
    period: Period
    at: datetime
    by_channel: tuple[SlaGroup, ...]
    by_customer: tuple[SlaGroup, ...]
    total: SlaGroup
    breaches: tuple[Breach, ...]
    #: Requests without a timer (calls answered live), left out of every figure.
    untimed: int
    #: Every request received in the period, by hour of the desk's day (24 counts).
    arrivals_by_hour: tuple[int, ...] = (0,) * 24
    #: First responses by how long they took (`console.domain.charts.RESPONSE_LABELS`).
    response_buckets: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Timed:
    channel: str
    customer: str
    state: TimerState
    response: timedelta | None


class _Request:
    """What `SlaPolicy.timer` reads of a request (the `TimedRequest` protocol)."""

    __slots__ = ("channel", "due_at", "emergency", "first_response_at", "received_at")

    def __init__(
        self, channel: str, emergency: bool, received: datetime, due: Any, first: Any
    ) -> None:
        self.channel, self.emergency, self.received_at = channel, emergency, received
        self.due_at, self.first_response_at = due, first


def sla_report(
    session: Session,
    policy: Policy | PolicyTimeline,
    from_date: date,
    to_date: date,
    now: datetime,
) -> SlaReport:
    """Met and breached response targets of requests received in the period, at `now`.

    Emergencies are one channel of their own (`emergency`, wall clock); the others are
    measured on the business clock. Median and p90 (nearest rank) are times to the first
    response on each request's own clock. With a timeline, each request is judged by the
    policy version in effect when it was received (a closure added today does not
    rewrite last month).
    """
    timeline = PolicyTimeline.of(policy)
    span = period(timeline.current.calendar, from_date, to_date)
    rows = session.execute(
        select(
            Request.id,
            Customer.municipality,
            Request.channel,
            Request.emergency,
            Request.received_at,
            Request.due_at,
            Request.first_response_at,
        )
        .join(Customer, Customer.id == Request.customer_id)
        .where(Request.received_at >= span.start, Request.received_at < span.end)
        .order_by(Request.received_at, Request.id)
    ).all()
    timed: list[_Timed] = []
    breaches: list[Breach] = []
    untimed = 0
    for request_id, customer, channel, emergency, received, due, first in rows:
        sla = timeline.at(received).sla
        timer = sla.timer(_Request(channel, emergency, received, due, first), now)
        if timer.state is TimerState.NONE or due is None:  # no due time: no timer
            untimed += 1
            continue
        response = None
        if first is not None:
            if timer.clock is ClockKind.BUSINESS:
                response = sla.calendar.business_time_between(received, first)
            else:
                response = first - received
        group = "emergency" if emergency else channel
        timed.append(_Timed(group, customer, timer.state, response))
        if timer.state is TimerState.BREACHED:
            overdue = -(timer.remaining or ZERO)
            breaches.append(
                Breach(
                    request_id=request_id,
                    customer=customer,
                    channel=group,
                    clock=timer.clock.value,
                    received_at=received,
                    due_at=due,
                    first_response_at=first,
                    overdue_minutes=minutes(overdue),
                )
            )
    return SlaReport(
        period=span,
        at=now,
        by_channel=_groups(timed, lambda t: t.channel),
        by_customer=_groups(timed, lambda t: t.customer),
        total=_group("all", timed),
        breaches=tuple(breaches),
        untimed=untimed,
        arrivals_by_hour=arrivals_by_hour((row[4] for row in rows), timeline.current.calendar.zone),
        response_buckets=response_buckets(t.response for t in timed if t.response is not None),
    )


def _groups(timed: list[_Timed], key: Any) -> tuple[SlaGroup, ...]:
    grouped: dict[str, list[_Timed]] = {}
    for item in timed:
        grouped.setdefault(key(item), []).append(item)
    return tuple(_group(name, grouped[name]) for name in sorted(grouped, key=str.lower))


def _group(name: str, items: list[_Timed]) -> SlaGroup:
    met = sum(1 for i in items if i.state is TimerState.MET)
    breached = sum(1 for i in items if i.state is TimerState.BREACHED)
    decided = met + breached
    compliance = (Decimal(100 * met) / decided).quantize(Decimal("0.1")) if decided else None
    seconds = sorted(round(i.response.total_seconds()) for i in items if i.response is not None)
    return SlaGroup(
        name=name,
        requests=len(items),
        met=met,
        breached=breached,
        pending=len(items) - decided,
        compliance=compliance,
        median_minutes=_median(seconds),
        p90_minutes=_nearest_rank(seconds, 0.9),
    )


def _median(seconds: list[int]) -> Decimal | None:
    if not seconds:
        return None
    middle = len(seconds) // 2
    value = seconds[middle] if len(seconds) % 2 else (seconds[middle - 1] + seconds[middle]) / 2
    return minutes(timedelta(seconds=value))


def _nearest_rank(seconds: list[int], fraction: float) -> Decimal | None:
    if not seconds:
        return None
    rank = max(1, math.ceil(fraction * len(seconds)))
    return minutes(timedelta(seconds=seconds[rank - 1]))

"""Benchmark: our SLA engine's `due_at` against `businesstimedelta`, side by side.

What it measures
    N calls (default 100,000) of ``SlaPolicy.due_at("email", received)`` (4 business
    hours; desk Monday-Friday 07:00-19:00 America/Chicago; US federal holidays with
    their observed days) on random instants (fixed seed) spread uniformly over
    2026-01-01..2030-12-31 desk-local time, and the same N additions done by the
    peer, ``received + businesstimedelta.BusinessTimeDelta(rule, hours=4)``, whose
    rule combines a ``WorkDayRule`` with the same hours and zone and a ``HolidayRule``
    with the same holiday dates. Both engines get the same list of inputs, in one
    process; each loop is timed as a whole with ``time.perf_counter``.

    * ``ours_us_per_call``: one ``SlaPolicy`` built, before timing, from the policy in
      effect in a throw-away SQLite desk database: the contract's defaults plus a
      closure a lead added with ``change_policy`` (on 2032-06-01, outside the inputs,
      so the answers stay comparable with the peer's), read back with
      ``current_policy`` as every process does. Its per-day cache starts empty and
      fills during the loop.
    * ``ours_cold_us_per_call``: the same loop on another policy whose per-day cache
      is emptied before every call, so each call converts its days from scratch
      (the ``holidays`` year tables stay loaded: that is construction, not per call).
    * ``peer_us_per_call`` and ``speedup`` (peer time / our time).

    The machine may be shared, so one run can be noisy. ``--repeat R`` runs the
    three timed loops R times (each round with newly built policies, so every round
    starts with an empty day cache) and reports the median of each figure; the
    per-round figures are in ``rounds``. The default is one round.

How results are compared
    Every input where the two answers differ is checked against a brute-force
    reference written here (walk minute by minute from the received instant, a minute
    counts when its start is, in desk-local time, a Monday-Friday that is not a
    holiday, looked up by the *local* date, between 07:00 and 19:00). A random sample
    of 300 agreeing inputs is checked too. Each wrong answer is attributed to "ours"
    or to the peer, and the peer's errors are grouped by cause: a holiday looked up by
    its UTC date instead of the desk-local date (businesstimedelta's ``HolidayRule``
    works in UTC unless given a zone), a DST change inside the span, or other.

How to run
    /work/venv/bin/python benchmarks/sla_engine.py [--calls N] [--repeat R] [--seed S]

    Human-readable lines come first; the last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time as clock
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import businesstimedelta
import holidays
import pytz

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks, the package

from benchmarks.desks import NOW, small_desk, temporary_sqlite
from console.domain.policy import Policy, add_closure
from console.domain.sla import Channel, SlaPolicy
from console.store.commands.policy import change_policy
from console.store.db import open_database
from console.store.policy import current_policy

ZONE_NAME = "America/Chicago"
OPEN, CLOSE = time(7), time(19)
WORKDAYS = frozenset(range(5))  # Monday..Friday
TARGET = timedelta(hours=4)
FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2030, 12, 31)
SANITY_SAMPLE = 300
MINUTE = timedelta(minutes=1)

REASON_OURS = "ours"
REASON_BOTH = "ours and peer agree, both wrong"
REASON_UTC_HOLIDAY = "peer: holiday by UTC date"
REASON_DST = "peer: DST"
REASON_OTHER = "peer: other"


# -- inputs and engines -----------------------------------------------------------------


def random_instants(count: int, seed: int, zone: ZoneInfo) -> list[datetime]:
    """`count` UTC instants, to the second, uniform over FIRST_DAY..LAST_DAY desk-local."""
    lo = datetime.combine(FIRST_DAY, time(0), tzinfo=zone).astimezone(UTC)
    hi = datetime.combine(LAST_DAY + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    span = int((hi - lo).total_seconds())
    rng = random.Random(seed)
    return [lo + timedelta(seconds=rng.randrange(span)) for _ in range(count)]


def holiday_dates() -> frozenset[date]:
    """The desk's holiday dates, computed the way POLICY.md says (observed days included).

    One year either side of the input range, so spans that cross a year end see them.
    """
    years = range(FIRST_DAY.year - 1, LAST_DAY.year + 2)
    return frozenset(holidays.country_holidays("US", years=years))


def peer_rule(dates: frozenset[date]) -> businesstimedelta.Rules:
    """businesstimedelta's rule for the same desk: hours in the desk zone, same holidays.

    ``HolidayRule`` is given no zone, as its documentation shows; it then uses UTC.
    """
    workday = businesstimedelta.WorkDayRule(
        start_time=OPEN,
        end_time=CLOSE,
        working_days=sorted(WORKDAYS),
        tz=pytz.timezone(ZONE_NAME),
    )
    return businesstimedelta.Rules([workday, businesstimedelta.HolidayRule(dates)])


def policy_from_database() -> Policy:
    """The policy in effect in a new desk database after a lead's closure (see above)."""
    with temporary_sqlite() as url:
        database = open_database(url)
        try:
            small_desk(database, lead="lee", agents=(), now=NOW)
            with database.session() as session:
                change_policy(
                    session,
                    "lee",
                    NOW,
                    what="closure add 2032-06-01",
                    reason="benchmark",
                    edit=lambda doc: add_closure(doc, date(2032, 6, 1), "After the inputs"),
                )
            with database.session() as session:
                return current_policy(session).policy
        finally:
            database.dispose()


def run_ours(policy: SlaPolicy, inputs: Sequence[datetime]) -> tuple[list[datetime], float]:
    due_at, email = policy.due_at, Channel.EMAIL
    start = clock.perf_counter()
    results = [due_at(email, received) for received in inputs]
    elapsed = clock.perf_counter() - start
    if any(r is None for r in results):
        raise SystemExit("due_at returned no due time for e-mail: check the settings")
    return [r for r in results if r is not None], elapsed


def run_ours_cold(policy: SlaPolicy, inputs: Sequence[datetime]) -> float:
    """Time each call with an empty per-day cache (clearing it is inside the timing)."""
    due_at, email = policy.due_at, Channel.EMAIL
    days = policy.calendar._days  # the per-day cache this figure is honest about
    start = clock.perf_counter()
    for received in inputs:
        days.clear()
        due_at(email, received)
    return clock.perf_counter() - start


def run_peer(
    rule: businesstimedelta.Rules, inputs: Sequence[datetime]
) -> tuple[list[datetime], float]:
    delta = businesstimedelta.BusinessTimeDelta(rule, hours=4)
    start = clock.perf_counter()
    results = [received + delta for received in inputs]
    elapsed = clock.perf_counter() - start
    return results, elapsed


# -- the brute-force reference ------------------------------------------------------------


class Reference:
    """Business time counted minute by minute, as plainly as possible."""

    def __init__(self, zone: ZoneInfo, dates: frozenset[date]) -> None:
        self.zone = zone
        self.dates = dates

    def minute_open(self, minute_start: datetime) -> bool:
        local = minute_start.astimezone(self.zone)
        return (
            local.weekday() in WORKDAYS
            and local.date() not in self.dates
            and OPEN <= local.time() < CLOSE
        )

    def due(self, received: datetime) -> datetime:
        """The instant by which TARGET of open time has passed since `received`."""
        remaining = TARGET
        at = received.astimezone(UTC)
        while True:
            minute_start = at.replace(second=0, microsecond=0)
            following = minute_start + MINUTE
            if self.minute_open(minute_start):
                chunk = following - at
                if remaining <= chunk:
                    return at + remaining
                remaining -= chunk
            at = following

    def peer_reason(self, received: datetime, end: datetime) -> str:
        """Why the peer may differ on [received, end): which trap lies in that span."""
        at = received.astimezone(UTC).replace(second=0, microsecond=0)
        offset = at.astimezone(self.zone).utcoffset()
        dst = False
        while at < end:
            local = at.astimezone(self.zone)
            in_hours = local.weekday() in WORKDAYS and OPEN <= local.time() < CLOSE
            if in_hours and (local.date() in self.dates) != (at.date() in self.dates):
                return REASON_UTC_HOLIDAY
            dst = dst or local.utcoffset() != offset
            at += MINUTE
        return REASON_DST if dst else REASON_OTHER


# -- comparison -----------------------------------------------------------------------------


@dataclass
class Comparison:
    mismatches: int = 0
    mismatches_ours: int = 0
    mismatches_peer: int = 0
    sample_checked: int = 0
    sample_disagreements: int = 0
    dst_spans: int = 0
    dst_span_mismatches: int = 0


def local_iso(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).isoformat()


def compare(
    inputs: Sequence[datetime],
    ours: Sequence[datetime],
    peer: Sequence[datetime],
    reference: Reference,
    seed: int,
) -> tuple[Comparison, Counter[str], dict[str, dict[str, str]]]:
    zone = reference.zone
    result = Comparison()
    reasons: Counter[str] = Counter()
    examples: dict[str, dict[str, str]] = {}

    def note(reason: str, received: datetime, o: datetime, p: datetime, r: datetime) -> None:
        reasons[reason] += 1
        examples.setdefault(
            reason,
            {
                "received": local_iso(received, zone),
                "ours": local_iso(o, zone),
                "peer": local_iso(p, zone),
                "reference": local_iso(r, zone),
            },
        )

    matching: list[int] = []
    for index, (received, o, p) in enumerate(zip(inputs, ours, peer, strict=True)):
        # A DST change between receipt and due: does the peer stumble on it?
        if received.astimezone(zone).utcoffset() != o.astimezone(zone).utcoffset():
            result.dst_spans += 1
            if o != p:
                result.dst_span_mismatches += 1
        if o == p:
            matching.append(index)
            continue
        result.mismatches += 1
        ref = reference.due(received)
        if o != ref:
            result.mismatches_ours += 1
            note(REASON_OURS, received, o, p, ref)
        if p != ref:
            result.mismatches_peer += 1
            note(reference.peer_reason(received, max(p, ref)), received, o, p, ref)

    sample = random.Random(seed + 1).sample(matching, min(SANITY_SAMPLE, len(matching)))
    for index in sample:
        received, o, p = inputs[index], ours[index], peer[index]
        ref = reference.due(received)
        result.sample_checked += 1
        if o != ref:
            result.sample_disagreements += 1
            result.mismatches_ours += 1
            result.mismatches_peer += 1
            note(REASON_BOTH, received, o, p, ref)
    return result, reasons, examples


# -- main -----------------------------------------------------------------------------------


def per_call_us(seconds: float, calls: int) -> float:
    return round(seconds / calls * 1e6, 2)


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=100_000, help="due_at calls per engine")
    parser.add_argument("--repeat", type=int, default=1, help="timed rounds; medians reported")
    parser.add_argument("--seed", type=int, default=20260101, help="random seed for inputs")
    args = parser.parse_args(argv)
    if args.calls < 1:
        parser.error("--calls must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    zone = ZoneInfo(ZONE_NAME)
    dates = holiday_dates()
    stored = policy_from_database()
    configured = stored.document["desk"]["zone"]
    if configured != ZONE_NAME:
        raise SystemExit(f"the settings' desk zone is {configured}, not {ZONE_NAME}")
    rule = peer_rule(dates)
    inputs = random_instants(args.calls, args.seed, zone)

    rounds: list[dict[str, float]] = []
    for _ in range(args.repeat):
        # Policies built before timing (construction is not per-call cost); the cold
        # one has its own calendar, emptied before every call.
        policy = Policy(stored.document).sla
        cold_policy = Policy(stored.document).sla
        ours, ours_s = run_ours(policy, inputs)
        peer, peer_s = run_peer(rule, inputs)
        cold_s = run_ours_cold(cold_policy, inputs)
        rounds.append(
            {
                "ours_us_per_call": per_call_us(ours_s, args.calls),
                "ours_cold_us_per_call": per_call_us(cold_s, args.calls),
                "peer_us_per_call": per_call_us(peer_s, args.calls),
            }
        )
    ours_us, cold_us, peer_us = (
        statistics.median(r[key] for r in rounds)
        for key in ("ours_us_per_call", "ours_cold_us_per_call", "peer_us_per_call")
    )

    # The two engines must have been given the same holidays.
    check = Policy.defaults().calendar
    day = min(dates)
    while day <= max(dates):
        if (check.holiday_name(day) is not None) != (day in dates):
            raise SystemExit(f"holiday sets differ on {day}: the comparison would be unfair")
        day += timedelta(days=1)

    comparison, reasons, examples = compare(inputs, ours, peer, Reference(zone, dates), args.seed)

    report: dict[str, Any] = {
        "benchmark": "sla_engine",
        "calls": args.calls,
        "seed": args.seed,
        "repeat": args.repeat,
        "ours_us_per_call": round(ours_us, 2),
        "ours_cold_us_per_call": round(cold_us, 2),
        "peer_us_per_call": round(peer_us, 2),
        "speedup": round(peer_us / ours_us, 1),
        "speedup_cold": round(peer_us / cold_us, 1),
        "mismatches": comparison.mismatches,
        "mismatches_ours": comparison.mismatches_ours,
        "mismatches_peer": comparison.mismatches_peer,
        "mismatch_reasons": dict(reasons.most_common()),
        "sample_checked": comparison.sample_checked,
        "sample_disagreements": comparison.sample_disagreements,
        "dst_spans": comparison.dst_spans,
        "dst_span_mismatches": comparison.dst_span_mismatches,
        "examples": examples,
        "rounds": rounds,
    }

    out(f"sla_engine: {args.calls} due_at calls (e-mail, 4 business hours, {ZONE_NAME})")
    if args.repeat > 1:
        out(f"  (medians of {args.repeat} rounds)")
    out(f"  ours       {report['ours_us_per_call']:>9} us/call  (one policy, day cache warms)")
    out(f"  ours cold  {report['ours_cold_us_per_call']:>9} us/call  (day cache emptied per call)")
    out(f"  peer       {report['peer_us_per_call']:>9} us/call  (businesstimedelta)")
    out(f"  speedup    {report['speedup']:>9}x  (cold: {report['speedup_cold']}x)")
    out(
        f"  mismatches {comparison.mismatches}: ours wrong {comparison.mismatches_ours},"
        f" peer wrong {comparison.mismatches_peer}"
    )
    for reason, count in reasons.most_common():
        ex = examples[reason]
        out(
            f"    {reason}: {count}; e.g. received {ex['received']}: ours {ex['ours']},"
            f" peer {ex['peer']}, reference {ex['reference']}"
        )
    out(
        f"  sanity: {comparison.sample_checked} agreeing answers checked against the"
        f" reference, {comparison.sample_disagreements} wrong"
    )
    out(
        f"  DST: {comparison.dst_spans} inputs span a DST change,"
        f" {comparison.dst_span_mismatches} of them differ"
    )
    out(json.dumps(report))
    return report


if __name__ == "__main__":
    main()

"""`switchboard report`: after-hours billing, response times and coverage, read only.

Each report prints a table by default, `--json` one object and `--csv` a header row and
one row per line (see `console.cli.report_format`). Dates and times are desk-local.
Reports read one snapshot and never hold up a writer (`console.store.reports.snapshot`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.orm import Session

from console.cli.common import Context, echo_json, pass_context
from console.cli.report_format import (
    Money,
    Row,
    dates,
    echo_table,
    json_value,
    one_format,
    output_options,
    period_options,
    write_csv,
)
from console.cli.store_access import opened, store_errors
from console.store import reports
from console.store.policy import PolicyTimeline
from console.store.reports import BillingReport, CoverageReport, SlaGroup, SlaReport
from console.text import inert


@contextmanager
def reading(ctx: Context, database_url: str | None) -> Iterator[Session]:
    """A read-only snapshot of the desk database; store errors become one line."""
    with (
        opened(ctx, database_url) as database,
        store_errors(database),
        reports.snapshot(database) as session,
    ):
        yield session


def period_json(ctx: Context, span: reports.Period) -> dict[str, Any]:
    return {
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "start": ctx.desk_time(span.start),
        "end": ctx.desk_time(span.end),
        "zone": ctx.policy.calendar.zone.key,
    }


def title(ctx: Context, span: reports.Period) -> str:
    return f"{span.first} to {span.last} ({ctx.policy.calendar.zone.key})"


@click.group()
def report() -> None:
    """Reports: after-hours billing, response times, coverage ahead (read only)."""


# -- billing -----------------------------------------------------------------------------

BILLING_COLUMNS = (
    "customer",
    "request",
    "channel",
    "summary",
    "received_at",
    "notice_at",
    "notice_method",
    "notice_by",
    "billable_minutes",
    "hourly_rates",
    "amount",
)


@report.command("billing")
@period_options
@click.option("--customer", metavar="NAME|ID", help="Only this customer.")
@output_options
@pass_context
def report_billing(
    ctx: Context,
    first: str,
    last: str,
    customer: str | None,
    database_url: str | None,
    as_csv: bool,
    as_json: bool,
) -> None:
    """Billable after-hours time and amount per customer and request (POLICY.md s. 4).

    Only work after the billing notice and outside desk hours counts, at the rate in
    effect on the day; work is clipped to the period. CSV: one row per request.
    """
    start, end = dates(first, last)
    one_format(as_csv, as_json)
    with reading(ctx, database_url) as session:
        found = reports.billing_report(
            session, PolicyTimeline.read(session), start, end, customer=customer
        )
    if as_json:
        echo_json(json_value(ctx, billing_json(ctx, found)))
    elif as_csv:
        write_csv(ctx, BILLING_COLUMNS, [row for group in billing_rows(found) for row in group])
    else:
        billing_table(ctx, found)


def billing_rows(found: BillingReport) -> list[list[Row]]:
    """Per customer, one row per billable request."""
    return [
        [
            {
                "customer": group.customer,
                "request": line.request_id,
                "channel": line.channel,
                "summary": line.summary,
                "received_at": line.received_at,
                "notice_at": line.notice_at,
                "notice_method": line.notice_method,
                "notice_by": line.notice_by,
                "billable_minutes": line.minutes,
                "hourly_rates": " ".join(f"{r.hourly:.2f}" for r in line.rates),
                "amount": Money(line.amount),
            }
            for line in group.lines
        ]
        for group in found.customers
    ]


def billing_json(ctx: Context, found: BillingReport) -> dict[str, Any]:
    customers = []
    for group, rows in zip(found.customers, billing_rows(found), strict=True):
        for row, line in zip(rows, group.lines, strict=True):
            del row["customer"], row["hourly_rates"]
            row["rates"] = [{"hourly": Money(r.hourly), "minutes": r.minutes} for r in line.rates]
        customers.append(
            {
                "customer": group.customer,
                "customer_id": group.customer_id,
                "requests": rows,
                "billable_minutes": group.minutes,
                "amount": Money(group.amount),
            }
        )
    return {
        "period": period_json(ctx, found.period),
        "customers": customers,
        "billable_minutes": found.minutes,
        "amount": Money(found.amount),
    }


def billing_table(ctx: Context, found: BillingReport) -> None:
    click.echo(f"Billable after-hours work, {title(ctx, found.period)}")
    columns = {
        "request": "request",
        "received_at": "received",
        "notice_at": "notice",
        "notice_by": "by",
        "notice_method": "how",
        "billable_minutes": "min",
        "hourly_rates": "rate/h",
        "amount": "$",
    }
    for group, rows in zip(found.customers, billing_rows(found), strict=True):
        click.echo(inert(group.customer))
        total = {"request": "total", "billable_minutes": group.minutes}
        total["amount"] = Money(group.amount)
        echo_table(ctx, columns, [*rows, total])
    click.echo(f"Total: {json_value(ctx, found.minutes)} min, ${Money(found.amount):.2f}")


# -- response times ----------------------------------------------------------------------

GROUP_COLUMNS = {
    "group": "group",
    "name": "name",
    "requests": "requests",
    "met": "met",
    "breached": "breached",
    "pending": "pending",
    "compliance_pct": "compliance %",
    "median_minutes": "median min",
    "p90_minutes": "p90 min",
}
BREACH_COLUMNS = {
    "request": "request",
    "customer": "customer",
    "channel": "channel",
    "clock": "clock",
    "received_at": "received",
    "due_at": "due",
    "first_response_at": "responded",
    "overdue_minutes": "overdue min",
}


@report.command("sla")
@period_options
@click.option("--breaches", "breaches_only", is_flag=True, help="Only the list of breaches.")
@output_options
@pass_context
def report_sla(
    ctx: Context,
    first: str,
    last: str,
    breaches_only: bool,
    database_url: str | None,
    as_csv: bool,
    as_json: bool,
) -> None:
    """Met and breached response targets of requests received in the period, per channel
    and per customer, with median and p90 time to first response, and the breaches.

    Business-clock channels count desk hours, emergencies the wall clock; a request not
    yet due nor answered is pending and counts in neither. CSV: one row per channel,
    customer and the total (`group` column); with --breaches one row per breach.
    """
    start, end = dates(first, last)
    one_format(as_csv, as_json)
    now = ctx.clock.now().replace(second=0, microsecond=0)  # reports are to the minute
    with reading(ctx, database_url) as session:
        found = reports.sla_report(session, PolicyTimeline.read(session), start, end, now)
    groups = group_rows(found)
    breaches = breach_rows(found)
    if as_json:
        data = {
            "period": period_json(ctx, found.period),
            "at": found.at,
            "by_channel": [ungrouped(g) for g in groups if g["group"] == "channel"],
            "by_customer": [ungrouped(g) for g in groups if g["group"] == "customer"],
            "total": ungrouped(groups[-1]),
            "untimed": found.untimed,
            "breaches": breaches,
        }
        echo_json(json_value(ctx, breaches if breaches_only else data))
    elif as_csv:
        if breaches_only:
            write_csv(ctx, tuple(BREACH_COLUMNS), breaches)
        else:
            write_csv(ctx, tuple(GROUP_COLUMNS), groups)
    else:
        if not breaches_only:
            click.echo(
                f"Response times, requests received {title(ctx, found.period)}, as of "
                f"{ctx.desk_time(found.at)}"
            )
            echo_table(ctx, GROUP_COLUMNS, groups)
            if found.untimed:
                click.echo(f"  ({found.untimed} calls answered live have no timer)")
        click.echo(f"Breaches: {len(breaches)}")
        if breaches:
            echo_table(ctx, BREACH_COLUMNS, breaches)


def group_row(kind: str, group: SlaGroup) -> Row:
    return {
        "group": kind,
        "name": group.name,
        "requests": group.requests,
        "met": group.met,
        "breached": group.breached,
        "pending": group.pending,
        "compliance_pct": group.compliance,
        "median_minutes": group.median_minutes,
        "p90_minutes": group.p90_minutes,
    }


def ungrouped(row: Row) -> Row:
    return {key: value for key, value in row.items() if key != "group"}


def group_rows(found: SlaReport) -> list[Row]:
    return [
        *(group_row("channel", g) for g in found.by_channel),
        *(group_row("customer", g) for g in found.by_customer),
        group_row("all", found.total),
    ]


def breach_rows(found: SlaReport) -> list[Row]:
    return [
        {
            "request": b.request_id,
            "customer": b.customer,
            "channel": b.channel,
            "clock": b.clock,
            "received_at": b.received_at,
            "due_at": b.due_at,
            "first_response_at": b.first_response_at,
            "overdue_minutes": b.overdue_minutes,
        }
        for b in found.breaches
    ]


# -- coverage ----------------------------------------------------------------------------

COVERAGE_COLUMNS = {
    "item": "item",
    "kind": "kind",
    "start": "from",
    "end": "to",
    "minutes": "min",
    "first_staff": "staff",
    "first_kind": "shift",
    "first_shift": "id",
    "second_staff": "and staff",
    "second_kind": "shift",
    "second_shift": "id",
}


@report.command("coverage")
@click.option(
    "--days", default=14, show_default=True, type=click.IntRange(1, 60), help="How far ahead."
)
@output_options
@pass_context
def report_coverage(
    ctx: Context, days: int, database_url: str | None, as_csv: bool, as_json: bool
) -> None:
    """On-call gaps (the desk closed, nobody on call) and overlapping shifts ahead: one
    person booked twice, or two people on call at once. CSV: one row per gap or overlap
    (`item` column)."""
    one_format(as_csv, as_json)
    now = ctx.clock.now().replace(second=0, microsecond=0)  # reports are to the minute
    with reading(ctx, database_url) as session:
        found = reports.coverage_report(session, ctx.policy.calendar, now, days)
    rows = coverage_rows(found)
    if as_json:
        data = {
            "from": found.start,
            "to": found.end,
            "days": found.days,
            "gaps": [r for r in rows if r["item"] == "gap"],
            "overlaps": [r for r in rows if r["item"] == "overlap"],
        }
        echo_json(json_value(ctx, data))
    elif as_csv:
        write_csv(ctx, tuple(COVERAGE_COLUMNS), rows)
    else:
        click.echo(
            f"Coverage {ctx.desk_time(found.start)} to {ctx.desk_time(found.end)}: "
            f"{len(found.gaps)} on-call gaps, {len(found.overlaps)} overlapping shifts"
        )
        if rows:
            echo_table(ctx, COVERAGE_COLUMNS, rows)


def coverage_rows(found: CoverageReport) -> list[Row]:
    gaps: list[Row] = [
        {
            "item": "gap",
            "kind": "nobody-on-call",
            "start": g.start,
            "end": g.end,
            "minutes": g.minutes,
        }
        for g in found.gaps
    ]
    overlaps: list[Row] = [
        {
            "item": "overlap",
            "kind": o.kind,
            "start": o.start,
            "end": o.end,
            "minutes": reports.minutes(o.end - o.start),
            "first_staff": o.first.staff,
            "first_kind": o.first.kind,
            "first_shift": o.first.id,
            "second_staff": o.second.staff,
            "second_kind": o.second.kind,
            "second_shift": o.second.id,
        }
        for o in found.overlaps
    ]
    return gaps + overlaps

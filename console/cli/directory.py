"""`switchboard staff|customer|contact|roster list`: who works the desk, for whom, when.

Read-only, each with `--json`. A `--customer` or `--staff` that names nobody says so in one
line with the close names ("no customer 'Fargo'; did you mean Fargo County?").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import click

from console.cli.common import Context, echo_json, pass_context
from console.cli.people import contact, customer, roster, staff
from console.cli.store_access import opened, plain, store_errors, store_options
from console.store import directory
from console.text import inert

T = TypeVar("T")


def _read(ctx: Context, database_url: str | None, read: Callable[[Any], list[T]]) -> list[T]:
    with (
        opened(ctx, database_url) as database,
        store_errors(database),
        database.reading() as session,
    ):
        return read(session)


def _print(ctx: Context, rows: list[Any], as_json: bool, line: Callable[[Any], str]) -> None:
    if as_json:
        echo_json([plain(ctx, row) for row in rows])
        return
    for row in rows:
        click.echo(inert(line(row)))


@staff.command("list")
@click.option("--all", "everyone", is_flag=True, help="Include staff no longer active.")
@store_options
@pass_context
def staff_list(
    ctx: Context, everyone: bool, database_url: str | None, actor: str | None, as_json: bool
) -> None:
    """List the desk's staff with their role, department and presence."""
    rows = _read(ctx, database_url, lambda s: directory.list_staff(s, inactive=everyone))

    def line(r: directory.StaffListing) -> str:
        since = f" since {ctx.desk_time(r.presence_since)}" if r.presence_since else ""
        state = f"{r.presence}{since}" if r.presence else "presence not set"
        return f"{r.handle:<12} {r.name:<24} {r.role:<10} {r.department:<10} {state}"

    _print(ctx, rows, as_json, line)


@customer.command("list")
@store_options
@pass_context
def customer_list(ctx: Context, database_url: str | None, actor: str | None, as_json: bool) -> None:
    """List the customers with their liaison, contacts and next check-in."""
    rows = _read(ctx, database_url, directory.list_customers)

    def line(r: directory.CustomerListing) -> str:
        check_in = r.next_check_in.isoformat() if r.next_check_in else "none"
        return (
            f"{r.id:>4}  {r.municipality:<28} liaison {r.liaison:<10} "
            f"{r.contacts:>2} contact{'' if r.contacts == 1 else 's'}  next check-in {check_in}"
        )

    _print(ctx, rows, as_json, line)


@contact.command("list")
@click.option("--customer", "customer_name", metavar="NAME|ID", help="Only this customer's.")
@click.option("--designated", is_flag=True, help="Only designated emergency contacts.")
@store_options
@pass_context
def contact_list(
    ctx: Context,
    customer_name: str | None,
    designated: bool,
    database_url: str | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """List contacts (★ designated for emergencies), by customer."""
    rows = _read(
        ctx,
        database_url,
        lambda s: directory.list_contacts(s, customer=customer_name, designated=designated),
    )

    def line(r: Any) -> str:
        star = "★" if r.designated_for_emergencies else " "
        reach = "  ".join(part for part in (r.phone, r.email) if part) or "no phone or e-mail"
        return f"{r.id:>5} {star} {r.customer}: {r.name}  {reach}"

    _print(ctx, rows, as_json, line)


@roster.command("list")
@click.option("--from", "start", metavar="TIME", help="From (default: now).")
@click.option("--to", "end", metavar="TIME", help="To (default: 7 days after --from).")
@click.option("--staff", "handle", metavar="HANDLE", help="Only this staff member's shifts.")
@store_options
@pass_context
def roster_list(
    ctx: Context,
    start: str | None,
    end: str | None,
    handle: str | None,
    database_url: str | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """List the duty and on-call shifts that overlap a time span, earliest first."""
    starts = ctx.instant(start, "--from")
    ends = ctx.instant(end, "--to") if end else starts + timedelta(days=7)
    rows = _read(ctx, database_url, lambda s: directory.list_shifts(s, starts, ends, staff=handle))

    def line(r: Any) -> str:
        return (
            f"{r.id:>5}  {r.kind:<8} {r.staff:<12} "
            f"{ctx.desk_time(r.starts_at)} to {ctx.desk_time(r.ends_at)}"
        )

    _print(ctx, rows, as_json, line)

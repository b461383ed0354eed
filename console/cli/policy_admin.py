"""`switchboard policy`: the desk policy record, shown to anyone and changed by leads.

Each change is one command that edits the version in effect (`console.domain.policy`)
and writes the new version, its event and the re-timed requests in one transaction
(`commands.change_policy`); a bad value or a non-lead is one line and nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

import click

from console.cli.common import Context, UserError, echo_json, pass_context
from console.cli.policy_file import read_policy_file
from console.cli.store_access import identity, opened, store_errors, store_options
from console.domain import policy as edits
from console.domain.localtime import LocalTimeError, parse_date
from console.domain.sla import ClockKind
from console.store.commands.policy import PolicyChange, change_policy
from console.store.policy import IMPORT, PolicyRecord, current_policy, policy_history
from console.text import inert

Edit = Callable[[Any], Any]


def _date(text: str, what: str) -> date:
    try:
        return parse_date(text)
    except LocalTimeError as exc:
        raise UserError(f"{what}: {exc}") from None


def _reason_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--reason", required=True, metavar="TEXT", help="Why: kept with the new version."
    )(fn)


def _change(
    ctx: Context,
    database_url: str | None,
    actor: str | None,
    as_json: bool,
    *,
    edit: Edit,
    reason: str,
    what: str,
) -> None:
    """Write one policy change as `actor` and print the new version."""
    with opened(ctx, database_url) as database, store_errors(database):
        who = identity(actor, database)
        with database.session() as session:
            done: PolicyChange = change_policy(
                session, who, ctx.clock.now(), edit=edit, reason=reason, what=what
            )
    if as_json:
        echo_json({**_view(ctx, done.record), "change": what, "retimed": done.retimed})
    else:
        moved = f"{done.retimed} open requests re-timed"
        click.echo(inert(f"policy version {done.record.number}: {what}; {moved}"))


def _view(ctx: Context, record: PolicyRecord) -> dict[str, Any]:
    view = record.view()
    view["created_at"] = ctx.desk_time(record.created_at)
    return view


@click.group()
def policy() -> None:
    """The desk policy: hours, closures, targets, rates (changes: leads)."""


@policy.command("show")
@store_options
@pass_context
def policy_show(ctx: Context, database_url: str | None, actor: str | None, as_json: bool) -> None:
    """Print the policy version in effect."""
    with opened(ctx, database_url) as database, store_errors(database), database.reading() as s:
        record = current_policy(s)
    if as_json:
        echo_json(_view(ctx, record))
        return
    doc = record.policy.document
    who = f" by {record.created_by} at {ctx.desk_time(record.created_at)}" if record.number else ""
    click.echo(inert(f"version {record.number}{who}: {record.reason}"))
    desk = doc["desk"]
    click.echo(f"zone {desk['zone']}")
    for day in edits.WEEKDAYS:
        click.echo(f"{day:<10} {desk[day]}")
    for day, hours in doc["dated"].items():
        click.echo(f"{day} {hours}")
    hol = doc["holidays"]
    click.echo(f"holidays {hol['country'] or 'none'} {hol['subdivision']}".rstrip())
    for day, name in hol["add"].items():
        click.echo(inert(f"closed {day} {name}"))
    for day in hol["remove"]:
        click.echo(f"open {day} (holiday worked)")
    sla = doc["sla"]
    for channel in edits.CHANNELS:
        click.echo(
            f"target {channel:<10} {sla[channel]['target_minutes']} min {sla[channel]['clock']}"
        )
    click.echo(f"warning {sla['warning_fraction']}")
    for rate in doc["billing"]["rates"]:
        click.echo(f"rate {rate['hourly']}/h from {rate['effective']}")
    paging = record.policy.paging
    minutes = int(paging.ack_timeout.total_seconds() // 60)
    click.echo(f"paging ack within {minutes} min, then {', '.join(paging.steps)}")


@policy.command("history")
@store_options
@pass_context
def policy_history_cmd(
    ctx: Context, database_url: str | None, actor: str | None, as_json: bool
) -> None:
    """Print every version, oldest first."""
    with opened(ctx, database_url) as database, store_errors(database), database.reading() as s:
        records = policy_history(s)
    if as_json:
        echo_json([_view(ctx, r) for r in records])
        return
    for r in records:
        when = f"{ctx.desk_time(r.created_at)} {r.created_by}: " if r.number else ""
        click.echo(inert(f"{r.number} {when}{r.reason}"))


@policy.command("import")
@click.argument("path", metavar="FILE")
@_reason_option
@store_options
@pass_context
def policy_import(ctx: Context, /, path: str, reason: str, **store: Any) -> None:
    """Load a whole policy from a TOML file (the old settings file's policy sections)."""
    document = read_policy_file(path)
    _change(ctx, **store, edit=lambda _old: document, reason=reason, what=f"{IMPORT}{path}")


@policy.group("closure")
def closure() -> None:
    """Days the desk closes (a storm, a company day off)."""


@closure.command("add")
@click.argument("day", metavar="DATE")
@click.option("--name", default="Closed", show_default=True, metavar="TEXT")
@_reason_option
@store_options
@pass_context
def closure_add(ctx: Context, /, day: str, name: str, reason: str, **store: Any) -> None:
    """Close the desk all of DATE (desk-local)."""
    when = _date(day, "DATE")
    edit = partial(edits.add_closure, day=when, name=name)
    _change(ctx, **store, edit=edit, reason=reason, what=f"closure add {when}")


@closure.command("remove")
@click.argument("day", metavar="DATE")
@_reason_option
@store_options
@pass_context
def closure_remove(ctx: Context, /, day: str, reason: str, **store: Any) -> None:
    """Open again on DATE (undo `closure add`)."""
    when = _date(day, "DATE")
    edit = partial(edits.remove_closure, day=when)
    _change(ctx, **store, edit=edit, reason=reason, what=f"closure remove {when}")


@policy.group("holiday")
def holiday() -> None:
    """Public holidays."""


@holiday.command("remove")
@click.argument("day", metavar="DATE")
@_reason_option
@store_options
@pass_context
def holiday_remove(ctx: Context, /, day: str, reason: str, **store: Any) -> None:
    """The desk works this public holiday."""
    when = _date(day, "DATE")
    edit = partial(edits.work_holiday, day=when)
    _change(ctx, **store, edit=edit, reason=reason, what=f"holiday remove {when}")


@policy.group("hours")
def hours() -> None:
    """Opening hours, per weekday or for one date."""


@hours.command("set")
@click.argument("weekday", metavar="WEEKDAY")
@click.argument("spec", metavar="07:00-12:00,13:00-19:00|closed")
@_reason_option
@store_options
@pass_context
def hours_set(ctx: Context, /, weekday: str, spec: str, reason: str, **store: Any) -> None:
    """Set a weekday's opening windows (desk-local)."""
    edit = partial(edits.set_weekday_hours, weekday=weekday, hours=spec)
    _change(ctx, **store, edit=edit, reason=reason, what=f"hours {weekday.lower()} {spec}")


@hours.command("date")
@click.argument("day", metavar="DATE")
@click.argument("spec", metavar="07:00-12:00|closed")
@_reason_option
@store_options
@pass_context
def hours_date(ctx: Context, /, day: str, spec: str, reason: str, **store: Any) -> None:
    """Set one date's opening windows, beating its weekday's."""
    when = _date(day, "DATE")
    edit = partial(edits.set_dated_hours, day=when, hours=spec)
    _change(ctx, **store, edit=edit, reason=reason, what=f"hours {when} {spec}")


@policy.group("target")
def target() -> None:
    """Response targets."""


@target.command("set")
@click.argument("channel", type=click.Choice(list(edits.CHANNELS)))
@click.argument("minutes", type=int)
@click.option("--clock", type=click.Choice([ClockKind.BUSINESS.value, ClockKind.WALL.value]))
@_reason_option
@store_options
@pass_context
def target_set(
    ctx: Context, /, channel: str, minutes: int, clock: str | None, reason: str, **store: Any
) -> None:
    """Set a channel's target in minutes (and its clock)."""
    edit = partial(edits.set_target, channel=channel, minutes=minutes, clock=clock)
    what = f"target {channel} {minutes} min" + (f" {clock}" if clock else "")
    _change(ctx, **store, edit=edit, reason=reason, what=what)


@policy.command("warning")
@click.argument("fraction", type=float)
@_reason_option
@store_options
@pass_context
def warning(ctx: Context, /, fraction: float, reason: str, **store: Any) -> None:
    """Warn when this fraction of a target or less is left (0 to 1)."""
    edit = partial(edits.set_warning, fraction=fraction)
    _change(ctx, **store, edit=edit, reason=reason, what=f"warning {fraction}")


@policy.group("rate")
def rate() -> None:
    """After-hours billing rates."""


@rate.command("add")
@click.option("--effective", required=True, metavar="DATE", help="From desk-local midnight.")
@click.option("--hourly", required=True, metavar="AMOUNT")
@_reason_option
@store_options
@pass_context
def rate_add(ctx: Context, /, effective: str, hourly: str, reason: str, **store: Any) -> None:
    """A new hourly rate from a date on; work before it keeps its rate."""
    when = _date(effective, "--effective")
    try:
        amount = Decimal(hourly.strip())
    except InvalidOperation:
        raise UserError(f"--hourly: {hourly[:40]!r} is not an amount like 225.00") from None
    edit = partial(edits.add_rate, effective=when, hourly=amount)
    _change(ctx, **store, edit=edit, reason=reason, what=f"rate {amount}/h from {when}")


# `policy paging` (issue 16) joins the group when it loads.
from console.cli import paging as _paging  # noqa: E402, F401

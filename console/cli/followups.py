"""`switchboard followup`: the contract's routine check-ins with customers."""

from __future__ import annotations

from typing import Any

import click

from console.cli.common import Context, UserError, pass_context
from console.cli.store_access import rules, run_write, write_options
from console.domain.localtime import LocalTimeError, parse_date
from console.store import commands


@click.group()
def followup() -> None:
    """Routine follow-up check-ins with customers."""


@followup.command("done")
@click.argument("customer", metavar="CUSTOMER")
@click.option(
    "--next",
    "next_date",
    metavar="DATE",
    help="The next check-in (YYYY-MM-DD; default: `followups.default_days` after today, 30).",
)
@write_options
@pass_context
def followup_done(
    ctx: Context,
    /,
    customer: str,
    next_date: str | None,
    **store: Any,
) -> None:
    """Record a check-in with CUSTOMER (name or id) now and schedule the next one."""
    try:
        when = parse_date(next_date) if next_date is not None else None
    except LocalTimeError as exc:
        raise UserError(f"--next: {exc}") from None
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.record_followup(
            s,
            who,
            now,
            rules(ctx),
            customer=customer,
            next_date=when,
            default_days=ctx.settings.followups.default_days,
        ),
        lambda v: (
            f"customer {v.customer_id}: {v.customer} checked in by {v.by}, "
            f"next check-in {v.next_check_in}"
        ),
    )

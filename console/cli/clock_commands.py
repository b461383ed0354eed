"""`switchboard sla` and `switchboard desk`: the policy core, on the command line.

They apply the policy in effect in the database given by `--database` (or
`SWITCHBOARD_DATABASE_URL`, or the settings file's `[database] url`), or the one in a
`--policy FILE` (the TOML shape of `policy import`); with neither, the contract's
defaults, so they work on a machine with no desk at all.
"""

from __future__ import annotations

import click

from console.cli.common import Context, UserError, echo_json, pass_context
from console.cli.policy_file import policy_source
from console.domain.calendar import NoOpeningError
from console.domain.sla import EMERGENCY, Channel

CHANNELS = [Channel.VOICEMAIL.value, Channel.EMAIL.value, Channel.PORTAL.value, EMERGENCY]


@click.group()
def sla() -> None:
    """Response targets."""


@sla.command("due")
@click.option(
    "--received", required=True, metavar="TIME", help="When it arrived (desk-local without offset)."
)
@click.option("--channel", required=True, type=click.Choice(CHANNELS), help="How it arrived.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@policy_source
@pass_context
def sla_due(ctx: Context, /, received: str, channel: str, as_json: bool, **_source: object) -> None:
    """Print when the first response to a request is due."""
    emergency = channel == EMERGENCY
    received_at = ctx.instant(received, "--received")
    policy = ctx.policy.sla
    target = policy.rules.target(Channel.EMAIL if emergency else channel, emergency)
    try:
        due = policy.due_at(Channel.EMAIL if emergency else channel, received_at, emergency)
    except NoOpeningError as exc:
        raise UserError(str(exc)) from None
    if as_json:
        echo_json(
            {
                "due": ctx.desk_time(due),
                "clock": target.clock.value,
                "target_minutes": target.minutes,
            }
        )
    else:
        click.echo(ctx.desk_time(due) or "no timer")


@click.group()
def desk() -> None:
    """The desk calendar."""


@desk.command("status")
@click.option("--at", "at_text", metavar="TIME", help="Ask about another time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@policy_source
@pass_context
def desk_status(ctx: Context, /, at_text: str | None, as_json: bool, **_source: object) -> None:
    """Print whether the desk is open, and until when."""
    at = ctx.instant(at_text, "--at")
    try:
        status = ctx.policy.calendar.status(at)
    except NoOpeningError as exc:
        raise UserError(str(exc)) from None
    next_change = ctx.desk_time(status.next_change.at)
    if as_json:
        echo_json(
            {
                "open": status.open,
                "reason": status.reason.value,
                "holiday": status.holiday,
                "next_change": next_change,
            }
        )
    elif status.open:
        click.echo(f"open until {next_change}")
    else:
        why = f"holiday: {status.holiday}" if status.holiday else status.reason.value
        click.echo(f"closed ({why}) until {next_change}")

"""`switchboard escalation`: leads reassign escalations and order the technical work."""

from __future__ import annotations

import click

from console.cli.common import Context, pass_context
from console.cli.store_access import write_options
from console.cli.tickets import run_command
from console.domain.escalation import Destination
from console.store import commands

DESTINATIONS = [d.value for d in Destination]


@click.group()
def escalation() -> None:
    """Escalations: reassign them and order the technical team's work (leads)."""


@escalation.command("reassign")
@click.argument("escalation_id", metavar="ID", type=int)
@click.option("--to", "to", metavar="HANDLE")
@click.option("--destination", type=click.Choice(DESTINATIONS))
@click.option("--reason", metavar="TEXT")
@write_options
@pass_context
def escalation_reassign(
    ctx: Context,
    escalation_id: int,
    to: str | None,
    destination: str | None,
    reason: str | None,
    database_url: str | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Give an escalation to another person, or move it elsewhere with a reason."""
    now = ctx.clock.now()
    run_command(
        ctx,
        database_url,
        actor,
        as_json,
        lambda s, who: commands.reassign_escalation(
            s, who, now, escalation_id=escalation_id, to=to, destination=destination, reason=reason
        ),
        lambda e: f"escalation {e.id}: {e.destination} {e.assignee or ''}".rstrip(),
    )


@escalation.command("priority")
@click.argument("escalation_id", metavar="ID", type=int)
@click.argument("priority", metavar="N", type=int)
@write_options
@pass_context
def escalation_priority(
    ctx: Context,
    escalation_id: int,
    priority: int,
    database_url: str | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Put a technical escalation at position N of the technical order (technical leads).

    1 is first; N past the last position means last. The escalations between its old and
    new place move by one, each with its own audit event, all in one transaction.
    """
    now = ctx.clock.now()
    run_command(
        ctx,
        database_url,
        actor,
        as_json,
        lambda s, who: commands.set_technical_priority(
            s, who, now, escalation_id=escalation_id, priority=priority
        ),
        lambda e: f"escalation {e.id}: technical priority {e.technical_priority}",
    )

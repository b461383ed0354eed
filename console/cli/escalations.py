"""`switchboard escalation`: leads reassign escalations and order the technical work.

An escalation is named by its request's number, the one every screen shows: a request
has at most one open escalation.
"""

from __future__ import annotations

from typing import Any

import click

from console.cli.common import Context, pass_context
from console.cli.store_access import run_write, write_options
from console.domain.escalation import Destination
from console.store import commands
from console.store.views import EscalationView

DESTINATIONS = [d.value for d in Destination]


@click.group()
def escalation() -> None:
    """Escalations: reassign them and order the technical team's work (leads)."""


def _line(e: EscalationView) -> str:
    who = f" ({e.assignee})" if e.assignee else ""
    return f"request {e.request_id}: escalated to {e.destination}{who}"


@escalation.command("reassign")
@click.argument("request_id", metavar="REQUEST", type=int)
@click.option("--to", "to", metavar="HANDLE")
@click.option("--destination", type=click.Choice(DESTINATIONS))
@click.option("--reason", metavar="TEXT")
@write_options
@pass_context
def escalation_reassign(
    ctx: Context,
    /,
    request_id: int,
    to: str | None,
    destination: str | None,
    reason: str | None,
    **store: Any,
) -> None:
    """Give request REQUEST's open escalation to another person, or move it elsewhere with a
    reason (leads)."""
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.reassign_escalation(
            s,
            who,
            now,
            escalation_id=commands.open_escalation_of(s, request_id),
            to=to,
            destination=destination,
            reason=reason,
        ),
        _line,
    )


@escalation.command("priority")
@click.argument("request_id", metavar="REQUEST", type=int)
@click.argument("priority", metavar="N", type=int)
@write_options
@pass_context
def escalation_priority(
    ctx: Context,
    /,
    request_id: int,
    priority: int,
    **store: Any,
) -> None:
    """Put request REQUEST's technical escalation at position N of the technical order
    (technical leads).

    1 is first; N past the last position means last. The escalations between its old and
    new place move by one, each with its own audit event, all in one transaction.
    """
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.set_technical_priority(
            s, who, now, escalation_id=commands.open_escalation_of(s, request_id), priority=priority
        ),
        lambda e: f"request {e.request_id}: technical priority {e.technical_priority}",
    )

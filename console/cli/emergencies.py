"""`switchboard ticket verify` and `ticket downgrade`: the dispatcher's answer to an
emergency from a contact who is not designated (POLICY.md section 3).

Importing this module adds both commands to the `ticket` group.
"""

from __future__ import annotations

from typing import Any

import click

from console.cli.common import Context, pass_context
from console.cli.store_access import rules, run_write, write_options
from console.cli.tickets import ticket
from console.store import commands
from console.store.commands.emergencies import VerificationView
from console.store.views import RequestView


@ticket.command("verify")
@click.argument("request_id", metavar="ID", type=int)
@click.option(
    "--contact", required=True, metavar="NAME|ID", help="The designated contact who confirmed it."
)
@write_options
@pass_context
def ticket_verify(ctx: Context, /, request_id: int, contact: str, **store: Any) -> None:
    """Verify an unverified emergency with a designated contact (dispatchers and leads)."""

    def line(view: VerificationView) -> str:
        return f"request {view.request.id}: emergency verified with {view.contact}"

    run_write(
        ctx,
        store,
        lambda s, who, now: commands.verify_emergency(
            s, who, now, request_id=request_id, contact=contact
        ),
        line,
    )


@ticket.command("downgrade")
@click.argument("request_id", metavar="ID", type=int)
@write_options
@pass_context
def ticket_downgrade(ctx: Context, /, request_id: int, **store: Any) -> None:
    """Treat an emergency as a normal request: business-clock due time, and billing rules
    if it came in after hours (dispatchers and leads)."""

    def line(view: RequestView) -> str:
        due = ctx.desk_time(view.due_at) or "no timer"
        return f"request {view.id}: no longer an emergency, due {due}, billing {view.billing_state}"

    run_write(
        ctx,
        store,
        lambda s, who, now: commands.downgrade_emergency(
            s, who, now, rules(ctx), request_id=request_id
        ),
        line,
    )

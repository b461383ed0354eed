"""`switchboard console` (also plain `switchboard`): open the dispatcher console."""

from __future__ import annotations

import click

from console.cli.common import Context, UserError, pass_context
from console.cli.store_access import database_option, identity, opened


@click.command("console")
@database_option
@click.option(
    "--as",
    "actor",
    metavar="HANDLE",
    envvar="SWITCHBOARD_USER",
    help="Who is signed in (default: $SWITCHBOARD_USER, the database user, the login name).",
)
@pass_context
def console_command(ctx: Context, database_url: str | None, actor: str | None) -> None:
    """Open the dispatcher console on the configured database."""
    run_console(ctx, database_url, actor)


def run_console(ctx: Context, database_url: str | None, actor: str | None) -> None:
    """Open the console; returns when the dispatcher quits."""
    from console.runtime import tune
    from console.ui.app import Identity, make_app  # Textual loads only for the console
    from console.ui.keymap import KeymapError

    with opened(ctx, database_url) as database:
        handle = identity(actor, database)
        try:
            app = make_app(ctx.settings, database, ctx.clock, Identity(handle))
        except KeymapError as exc:
            raise UserError(str(exc)) from None
        tune()
        app.run()

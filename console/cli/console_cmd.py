"""`switchboard console` (also plain `switchboard`): open the dispatcher console."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import click

from console.cli.common import Context, UserError, pass_context
from console.cli.store_access import database_option, identity, opened

if TYPE_CHECKING:
    from console.store.simulate_status import SimulatorStatus


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


def run_console(
    ctx: Context,
    database_url: str | None,
    actor: str | None,
    *,
    simulator: SimulatorStatus | None = None,
    help_note: str | None = None,
) -> None:
    """Open the console; returns when the dispatcher quits. With `simulator` (the demo's),
    each problem it reports shows on screen as an error notification. `help_note` is shown
    at the top of the help screen (the demo says where its portal is).

    Hook for the console's top line: `SimulatorStatus.problem` (one line, or None) and
    `SimulatorStatus.subscribe(callback)`, called from the simulator's thread.
    """
    from console.runtime import tune
    from console.ui.app import Identity, make_app  # Textual loads only for the console
    from console.ui.keymap import KeymapError

    with opened(ctx, database_url) as database:
        handle = identity(actor, database)
        try:
            app = make_app(ctx.settings, database, ctx.clock, Identity(handle))
        except KeymapError as exc:
            raise UserError(str(exc)) from None
        app.help_note = help_note
        if simulator is not None:

            def show(line: str) -> None:
                # RuntimeError: the console is not running (yet, or any more).
                with contextlib.suppress(RuntimeError):
                    app.call_from_thread(app.notify, line, severity="error", timeout=30)

            simulator.subscribe(show)
        tune()
        app.run()

"""`switchboard demo` and `switchboard simulate`: a living desk to look at.

- `switchboard demo`: seed the embedded database if it is empty, start the simulator in
  the background, and open the console signed in as the desk lead.
- `switchboard demo seed`: only seed (refuses a database with staff unless --force).
- `switchboard simulate`: act as several desk agents until Ctrl-C or --duration.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any

import click
import platformdirs

from console.cli.common import Context, UserError, pass_context
from console.cli.console_cmd import run_console
from console.cli.store_access import database_option, opened, rules, store_errors
from console.outbox.sender import Sender
from console.outbox.transports import transports
from console.paging.pager import Pager
from console.store import demo as demo_store
from console.store import simulate as simulator
from console.store.db import Database
from console.text import inert

#: The demo's mail sink: every page the demo's pager "sends" is a file here.
DEMO_MAILDIR = Path(platformdirs.user_data_dir("switchboard")) / "demo-mail"


def _finite(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    """FloatRange lets 'nan' and 'inf' through: a rate or a duration must be a number."""
    if isinstance(value, float) and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number")
    return value


seed_option = click.option(
    "--seed",
    "seed_number",
    type=int,
    default=1,
    show_default=True,
    help="Random seed: the same seed (and time) gives the same demo.",
)


@click.group("demo", invoke_without_command=True)
@database_option
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=20.0,
    show_default=True,
    callback=_finite,
    help="Simulated actions per minute while the console is open.",
)
@seed_option
@pass_context
@click.pass_context
def demo(
    click_ctx: click.Context,
    ctx: Context,
    database_url: str | None,
    rate: float,
    seed_number: int,
) -> None:
    """Open the console on a seeded demo desk with simulated agents at work.

    Uses the embedded database (or --database): it is migrated and seeded if empty. A
    pager runs too, filing its pages in a local Maildir (see `switchboard page list`).
    """
    if click_ctx.invoked_subcommand is not None:
        return
    with opened(ctx, database_url) as database:
        with store_errors(database):
            if demo_store.is_empty(database):
                summary = demo_store.seed(database, ctx.clock.now(), seed_number, rules=rules(ctx))
                click.echo(summary.line())
            if not demo_store.is_demo(database):
                raise UserError(
                    f"{database.url} is not a demo desk (no {demo_store.DESK_LEAD}): the demo "
                    "never simulates traffic on real data"
                )
        stop = threading.Event()
        worker = threading.Thread(
            target=_simulate_quietly,
            args=(database, ctx, rate, stop, seed_number),
            name="switchboard-simulator",
            daemon=True,
        )
        worker.start()
        pager = demo_pager(ctx, database)
        paging = threading.Thread(target=pager.run, name="switchboard-pager", daemon=True)
        paging.start()
        try:
            run_console(ctx, database_url, demo_store.DESK_LEAD)
        finally:
            stop.set()
            pager.stop()
            worker.join(timeout=5)
            paging.join(timeout=5)


def demo_pager(ctx: Context, database: Database) -> Pager:
    """The demo's pager: pages are filed in a local Maildir (`DEMO_MAILDIR`), never sent."""
    sender = Sender(database, ctx.clock, transports(ctx.settings.mail, DEMO_MAILDIR))
    return Pager(database, ctx.clock, sender, poll=ctx.settings.pager.poll_interval)


def _simulate_quietly(
    database: Database, ctx: Context, rate: float, stop: threading.Event, seed: int
) -> None:
    """The console owns the terminal: the simulator prints nothing and never raises."""
    try:
        simulator.run(database, ctx.clock, rate, None, stop, seed, rules=rules(ctx))
    except Exception:  # a broken simulator must not take the console down with it
        stop.set()


@demo.command("seed")
@database_option
@seed_option
@click.option("--force", is_flag=True, help="Add the demo even if the database has staff.")
@pass_context
def demo_seed(ctx: Context, database_url: str | None, seed_number: int, force: bool) -> None:
    """Fill the database with a demo desk as of now; prints a one-line summary."""
    with opened(ctx, database_url) as database, store_errors(database):
        summary = demo_store.seed(
            database, ctx.clock.now(), seed_number, force=force, rules=rules(ctx)
        )
        click.echo(f"{summary.line()} in {database.url}")


@click.command("simulate")
@database_option
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=20.0,
    show_default=True,
    callback=_finite,
    help="Actions per minute.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    callback=_finite,
    metavar="SECONDS",
    help="Stop after this many seconds (default: run until Ctrl-C).",
)
@click.option("--seed", "seed_number", type=int, default=None, help="Random seed.")
@click.option("--quiet", is_flag=True, help="Print only the summary at the end.")
@pass_context
def simulate(
    ctx: Context,
    database_url: str | None,
    rate: float,
    duration: float | None,
    seed_number: int | None,
    quiet: bool,
) -> None:
    """Act as several desk agents through the write path; Ctrl-C stops cleanly."""
    zone = ctx.policy.calendar.zone
    on_action = None if quiet else (lambda action: click.echo(inert(action.line(zone))))
    with opened(ctx, database_url) as database, store_errors(database):
        if demo_store.is_empty(database):
            raise UserError(f"{database.url} has no staff: run `switchboard demo seed` first")
        stop = threading.Event()
        result: list[simulator.Stats] = []

        done = threading.Event()

        def work() -> None:
            try:
                result.append(
                    simulator.run(
                        database,
                        ctx.clock,
                        rate,
                        duration,
                        stop,
                        seed_number,
                        rules=rules(ctx),
                        on_action=on_action,
                    )
                )
            finally:
                done.set()

        # The work runs in a thread so Ctrl-C never lands in the middle of a transaction;
        # an Event (not Thread.join, which an interrupt can confuse) says when it is over.
        threading.Thread(target=work, name="switchboard-simulator", daemon=True).start()
        try:
            while not done.wait(0.2):
                pass
        except KeyboardInterrupt:
            stop.set()
            done.wait()
        if not result:
            raise UserError("the simulator stopped unexpectedly")
        click.echo(result[0].line())

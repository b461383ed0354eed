"""`switchboard demo` and `switchboard simulate`: a living desk to look at.

- `switchboard demo`: seed the embedded database if it is empty, start the simulator in
  the background, and open the console signed in as the desk lead.
- `switchboard demo seed`: only seed (refuses a database with staff unless --force).
- `switchboard simulate`: act as several desk agents until Ctrl-C or --duration.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import click

from console.cli.common import Context, UserError, pass_context
from console.cli.console_cmd import run_console
from console.cli.store_access import database_option, opened, rules, store_errors
from console.store import demo as demo_store
from console.store import simulate as simulator
from console.store.db import Database
from console.text import inert


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
@click.option(
    "--portal-port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Also serve the customer portal on 127.0.0.1 at this port (0: not at all).",
)
@pass_context
@click.pass_context
def demo(
    click_ctx: click.Context,
    ctx: Context,
    database_url: str | None,
    rate: float,
    seed_number: int,
    portal_port: int,
) -> None:
    """Open the console on a seeded demo desk with simulated agents at work, and serve the
    customer portal on localhost (its demo sign-in is in the console's help, `?`).

    Uses the embedded database (or --database): it is migrated and seeded if empty.
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
        portal = demo_portal(database, ctx, portal_port) if portal_port else None
        try:
            run_console(
                ctx, database_url, demo_store.DESK_LEAD, help_note=portal.note if portal else None
            )
        finally:
            stop.set()
            if portal is not None:
                portal.stop()
            worker.join(timeout=5)


#: The demo's portal accounts all sign in with this password (README, Customer portal).
DEMO_PASSWORD = "demo portal 2026"


class DemoPortal:
    """The portal served from a thread of the demo, quietly (the console owns the screen)."""

    def __init__(self, database: Database, ctx: Context, port: int, emails: list[str]) -> None:
        import socket

        import uvicorn

        from console.web.app import make_app

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", port))
        self.socket.listen(128)  # connections wait in the backlog until uvicorn serves them
        config = uvicorn.Config(
            make_app(database, ctx.clock), log_level="critical", access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [self.socket]},
            name="switchboard-portal",
            daemon=True,
        )
        self.thread.start()
        who = ", ".join(emails) if emails else "no demo contact has an e-mail address"
        self.note = (
            f"Customer portal: http://127.0.0.1:{port}/ · sign in as {who} "
            f"· password: {DEMO_PASSWORD}"
        )

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.socket.close()


def demo_portal(database: Database, ctx: Context, port: int) -> DemoPortal | None:
    """Give the demo a few portal accounts and serve the portal; None if the port is taken."""
    from console.store.demo_portal import demo_accounts
    from console.web.security import Passwords

    with store_errors(database):
        accounts = demo_accounts(database, ctx.clock.now(), Passwords().hash(DEMO_PASSWORD))
    try:
        return DemoPortal(database, ctx, port, [a.email for a in accounts])
    except OSError as exc:
        click.echo(f"switchboard: the portal is not served: port {port}: {exc.strerror}", err=True)
        return None


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

"""`switchboard demo` and `switchboard simulate`: a living desk to look at.

- `switchboard demo`: seed the embedded database if it is empty (`--reset`: empty the demo
  desk and seed it afresh), start the simulator in the background, and open the console
  signed in as the desk lead (or `--as` anyone on the demo staff), and serve the customer
  portal on localhost (`--portal-port`). The simulator acts as
  the others, never as the person signed in; a failure of it shows on screen, goes to the
  log file (`simulator_log()`), and a crash ends the command with one line and status 1.
- `switchboard demo seed`: only seed (refuses a database with staff; `--force` replaces a
  demo desk, never adding a second copy).
- `switchboard simulate`: act as several desk agents until Ctrl-C or --duration.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import platformdirs

from console.cli.common import Context, UserError, pass_context
from console.cli.console_cmd import run_console
from console.cli.demo_portal import demo_portal
from console.cli.store_access import database_option, opened, rules, store_errors
from console.outbox.sender import Sender
from console.outbox.transports import transports
from console.paging.pager import Pager
from console.store import demo as demo_store
from console.store import simulate as simulator
from console.store.commands.base import staff_named
from console.store.db import APP_NAME, Database
from console.store.simulate_status import SimulatorStatus, Stats
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
@click.option("--reset", is_flag=True, help="Empty the demo desk and seed it afresh, as of now.")
@click.option(
    "--as",
    "actor",
    metavar="HANDLE",
    default=demo_store.DESK_LEAD,
    show_default=True,
    help="Who is signed in: anyone on the demo staff (see the README's demo handles).",
)
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
    reset: bool,
    actor: str,
    portal_port: int,
) -> None:
    """Open the console on a seeded demo desk with simulated agents at work, and serve the
    customer portal on localhost (its demo sign-in is in the console's help, `?`).

    Uses the embedded database (or --database): it is migrated and seeded if empty. A
    pager runs too, filing its pages in a local Maildir (see `switchboard page list`).
    """
    if click_ctx.invoked_subcommand is not None:
        return
    with opened(ctx, database_url) as database:
        with store_errors(database):
            if reset or demo_store.is_empty(database):
                summary = demo_store.seed(
                    database, ctx.clock.now(), seed_number, force=reset, rules=rules(ctx)
                )
                click.echo(f"{summary.line()} in {database.url}")
            if not demo_store.is_demo(database):
                raise UserError(
                    f"{database.url} is not a demo desk (no {demo_store.DESK_LEAD}): the demo "
                    "never simulates traffic on real data"
                )
            with database.reading() as session:  # --as names someone on the demo staff
                staff_named(session, actor)
        status = SimulatorStatus()
        stop = threading.Event()
        worker = threading.Thread(
            target=_simulate_beside,
            args=(database, ctx, rate, stop, seed_number, actor, status),
            name="switchboard-simulator",
            daemon=True,
        )
        with _logged_to(_log_file(simulator_log())):
            worker.start()
            pager = demo_pager(ctx, database)
            paging = threading.Thread(target=pager.run, name="switchboard-pager", daemon=True)
            paging.start()
            portal = demo_portal(database, ctx, portal_port) if portal_port else None
            try:
                run_console(
                    ctx,
                    database_url,
                    actor,
                    simulator=status,
                    help_note=portal.note if portal else None,
                )
            finally:
                stop.set()
                pager.stop()
                if portal is not None:
                    portal.stop()
                worker.join(timeout=5)
                paging.join(timeout=5)
    if status.stopped:
        raise UserError(f"{status.problem} (details in {simulator_log()})")
    if status.problem:
        click.echo(f"switchboard: {status.problem} (details in {simulator_log()})", err=True)


def demo_pager(ctx: Context, database: Database) -> Pager:
    """The demo's pager: pages are filed in a local Maildir (`DEMO_MAILDIR`), never sent."""
    sender = Sender(
        database,
        ctx.clock,
        transports(ctx.settings.mail, DEMO_MAILDIR),
        portal_url=ctx.settings.portal.base_url,
    )
    return Pager(database, ctx.clock, sender, poll=ctx.settings.pager.poll_interval)


def simulator_log() -> Path:
    """Where the demo's simulator writes what went wrong (the user's log directory)."""
    return Path(platformdirs.user_log_dir(APP_NAME)) / "simulator.log"


@contextmanager
def _logged_to(handler: logging.Handler) -> Iterator[None]:
    """The simulator's log records go to `handler` only, while the block runs."""
    simulator.log.addHandler(handler)
    simulator.log.propagate = False
    try:
        yield
    finally:
        simulator.log.removeHandler(handler)
        simulator.log.propagate = True
        handler.close()


def _log_file(path: Path) -> logging.Handler:
    """Records with their tracebacks, appended to `path` (the console owns the terminal)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    return handler


class _OneLine(logging.Handler):
    """`switchboard: <message>` on stderr, one line, no traceback."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"switchboard: {inert(record.getMessage())}", err=True)


def _simulate_beside(
    database: Database,
    ctx: Context,
    rate: float,
    stop: threading.Event,
    seed: int,
    signed_in: str,
    status: SimulatorStatus,
) -> None:
    """The console owns the terminal: the simulator prints nothing; a crash is logged and
    reported to `status` (which the console shows), never lost."""
    try:
        simulator.run(
            database,
            ctx.clock,
            rate,
            None,
            stop,
            seed,
            rules=rules(ctx),
            signed_in=signed_in,
            status=status,
        )
    except Exception as exc:  # a broken simulator must not take the console down with it
        simulator.log.exception("the simulator stopped")
        first = (str(exc).splitlines() or [""])[0][:200]
        status.report(f"the simulator stopped: {type(exc).__name__}: {first}", stopped=True)
        stop.set()


@demo.command("seed")
@database_option
@seed_option
@click.option(
    "--force", is_flag=True, help="Replace the demo desk already there (never a second copy)."
)
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
        result: list[Stats] = []
        crash: list[str] = []
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
            except Exception as exc:  # said on the way out, in one line
                crash.append(f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}")
            finally:
                done.set()

        # The work runs in a thread so Ctrl-C never lands in the middle of a transaction;
        # an Event (not Thread.join, which an interrupt can confuse) says when it is over.
        # A failed step is one line on stderr as it happens (the summary counts them).
        with _logged_to(_OneLine()):
            threading.Thread(target=work, name="switchboard-simulator", daemon=True).start()
            try:
                while not done.wait(0.2):
                    pass
            except KeyboardInterrupt:
                stop.set()
                done.wait()
        if not result:
            raise UserError(f"the simulator stopped: {crash[0] if crash else 'no result'}")
        click.echo(result[0].line())

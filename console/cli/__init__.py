"""The `switchboard` command."""

from __future__ import annotations

import os
import sys

import click

from console import __version__
from console.cli.clock_commands import desk, sla
from console.cli.common import Context
from console.cli.console_cmd import console_command, run_console
from console.cli.db import db
from console.cli.demo import demo, simulate
from console.cli.emergencies import ticket_downgrade, ticket_verify
from console.cli.escalations import escalation
from console.cli.followups import followup
from console.cli.live import doctor, events
from console.cli.paging import page, pager, staff_contact
from console.cli.people import contact, customer, presence, roster, staff
from console.cli.policy_admin import policy
from console.cli.reports import report
from console.cli.tickets import ticket
from console.text import inert


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.option(
    "--config",
    "config_path",
    metavar="FILE",
    envvar="SWITCHBOARD_CONFIG",
    help="Settings file (TOML). Default: $SWITCHBOARD_CONFIG, else built-in defaults.",
)
@click.version_option(__version__, prog_name="switchboard")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Switchboard: the support desk's dispatch console and desk-agent commands.

    Without a command it opens the console (`switchboard console`).
    """
    ctx.obj = Context(config_path=config_path)
    if ctx.invoked_subcommand is None:
        run_console(ctx.obj, None, None)


cli.add_command(sla)
cli.add_command(desk)
cli.add_command(console_command)
cli.add_command(demo)
cli.add_command(simulate)
cli.add_command(events)
cli.add_command(doctor)
cli.add_command(report)
cli.add_command(followup)
cli.add_command(pager)
cli.add_command(page)
staff.add_command(staff_contact)  # issue 16: how staff are paged
ticket.add_command(ticket_verify)  # issue 7: the emergency commands join `ticket`
ticket.add_command(ticket_downgrade)
for _group in (db, ticket, escalation, presence, roster, staff, customer, contact, policy):
    cli.add_command(_group)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every failure ends as one line on stderr and a non-zero status."""
    undecodable = _undecodable(sys.argv[1:] if argv is None else argv)
    if undecodable is not None:
        click.echo(f"switchboard: {_one_line(undecodable)}", err=True)
        return 2
    try:
        result = cli.main(args=argv, prog_name="switchboard", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("switchboard: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        click.echo(f"switchboard: {_one_line(exc.format_message())}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("switchboard: interrupted", err=True)
        return 130
    except Exception as exc:  # the promise is: never a traceback
        if os.environ.get("SWITCHBOARD_DEBUG"):
            raise
        click.echo(
            f"switchboard: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
            "(set SWITCHBOARD_DEBUG=1 for details)",
            err=True,
        )
        return 70
    return result if isinstance(result, int) else 0


def _undecodable(args: list[str]) -> str | None:
    """Bytes that are not UTF-8 reach Python as lone surrogates, which no database and no
    terminal takes: say so before they get anywhere."""
    named = [(f"argument {a!r}", a) for a in args]
    named += [(f"${k}", v) for k, v in os.environ.items() if k.startswith("SWITCHBOARD_")]
    for what, value in named:
        if any("\ud800" <= char <= "\udfff" for char in value):
            return f"{what} is not valid UTF-8 text (check the terminal's encoding)"
    return None


#: An error longer than this is shortened in the middle: the user's own 10,000 characters
#: echoed back (click quotes a bad value whole) would hide what went wrong.
MAX_ERROR = 400


def _one_line(text: str) -> str:
    """One line, inert (what the user typed may hold escape sequences), and short."""
    line = inert(" ".join(text.split()))
    if len(line) > MAX_ERROR:
        line = f"{line[: MAX_ERROR // 2]}…{line[-(MAX_ERROR // 4) :]}"
    return line


def entry() -> None:
    sys.exit(main())

"""The `switchboard` command."""

from __future__ import annotations

import gc
import os
import sys

import click

from console import __version__
from console.cli.lazy import LazyGroup
from console.text import inert


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)
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
    from console.cli.common import Context  # here, not above: --version never needs it

    ctx.obj = Context(config_path=config_path)
    if ctx.invoked_subcommand is None:
        from console.cli.console_cmd import run_console

        run_console(ctx.obj, None, None)


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
    code = main()
    # What is left lives until exit: frozen out of the collection at exit, which would
    # scan every object SQLAlchemy made only to free nothing (a third of exiting).
    gc.freeze()
    sys.exit(code)

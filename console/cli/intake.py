"""`switchboard intake`: mail and voicemail in (issue 15).

`intake pipe` is what an MTA runs for each message (Postfix `pipe`, `.forward`, procmail):
one message on standard input, one line (or one JSON object) out, exit 0 for every
outcome, and 75 (EX_TEMPFAIL: the MTA keeps the message and tries again later) whenever
the database cannot take it. It acts as the service `intake` (`[intake] service`).
"""

from __future__ import annotations

import imaplib
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from console.cli.common import Context, UserError, echo_json, pass_context
from console.cli.store_access import database_option, opened, store_errors
from console.mail import imap
from console.mail import intake as service
from console.store import grants
from console.store.commands.intake import IntakeResult
from console.store.db import Database
from console.store.errors import DatabaseFailure, SchemaMismatch
from console.store.models_mail import MailQuarantine
from console.text import inert

#: sysexits.h EX_TEMPFAIL: the MTA queues the message and delivers it again later.
EX_TEMPFAIL = 75


class TempFail(UserError):
    """The message could not be taken now; the MTA should try again (exit 75)."""

    exit_code = EX_TEMPFAIL


@click.group()
def intake() -> None:
    """Mail and voicemail in: from the MTA (pipe), and quarantined messages."""


def _result_json(result: IntakeResult) -> dict[str, Any]:
    return {
        "outcome": result.outcome,
        "request": result.request,
        "reason": result.reason,
        "quarantine": result.quarantine,
    }


def _echo(result: IntakeResult, as_json: bool) -> None:
    if as_json:
        echo_json(_result_json(result))
    else:
        click.echo(inert(f"{result.outcome}: {result.reason}"))


def acting_service(database: Database, wanted: str) -> str:
    """The service this process writes as: its Postgres login's, or `wanted` for the
    database owner and SQLite. A staff member's login is refused (`db grant-service`)."""
    with database.engine.connect() as connection:
        kind, name = grants.bound_to(connection)
    if kind == "service":
        return name
    if kind == "owner":
        return wanted
    raise UserError(
        f"the database login {name} is {'a staff member' if kind == 'staff' else 'bound to nobody'}"
        f": intake needs a service login (switchboard db grant-service {wanted})"
    )


@contextmanager
def _temporary_failures() -> Iterator[None]:
    """Anything that is not the message's fault: one line, exit 75, the MTA retries."""
    try:
        yield
    except TempFail:
        raise
    except (DatabaseFailure, SchemaMismatch, SQLAlchemyError, DBAPIError, OSError) as exc:
        raise TempFail(f"{_line(exc)}; the mail server will deliver it again") from None
    except UserError as exc:
        raise TempFail(f"{exc.format_message()}; the mail server will deliver it again") from None


def _line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@intake.command("pipe")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@database_option
@pass_context
def intake_pipe(ctx: Context, database_url: str | None, as_json: bool) -> None:
    """Take one RFC 5322 message from standard input.

    Prints `OUTCOME: REASON` (or with --json `{"outcome", "request", "reason"}`), where
    OUTCOME is new, reply, duplicate, ignored or quarantined; exits 0 for each, and 75
    when the database is unreachable or busy (the mail server then retries).
    """
    now = ctx.clock.now()
    with _temporary_failures():
        raw = sys.stdin.buffer.read()
        settings = ctx.settings.intake
        with opened(ctx, database_url) as database, store_errors(database):
            who = acting_service(database, settings.service)
            try:
                result = service.take_in(
                    database, raw, now=now, service=who, settings=settings, via="pipe"
                )
            except (DatabaseFailure, SQLAlchemyError):
                raise
            except Exception as exc:  # a bug of ours: keep the mail whole, not a traceback
                result = service.quarantine(
                    database, raw, now, who, f"internal error ({type(exc).__name__})", "pipe"
                )
    _echo(result, as_json)


@intake.command("imap")
@click.option("--once", is_flag=True, help="One pass over the folders, then exit.")
@database_option
@pass_context
def intake_imap(ctx: Context, database_url: str | None, once: bool) -> None:
    """Fetch mail from the `[intake.imap]` mailbox for ever (polling; Ctrl-C stops)."""
    settings = ctx.settings.intake
    with opened(ctx, database_url) as database, store_errors(database):
        who = acting_service(database, settings.service)
        fetcher = imap.Fetcher(database, settings, who, ctx.clock)
        try:
            if once:
                client = imap.connect(settings.imap)
                try:
                    fetcher.run_once(client)
                finally:
                    with suppress(OSError, imaplib.IMAP4.error):
                        client.logout()
            else:
                fetcher.run()
        except imap.ImapConfigError as exc:
            raise UserError(str(exc)) from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise UserError(f"IMAP {settings.imap.host}:{settings.imap.port}: {exc}") from None
        except KeyboardInterrupt:
            pass
    click.echo(f"filed {fetcher.filed} message{'s' if fetcher.filed != 1 else ''}")


@intake.command("retry")
@click.argument("quarantine_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@database_option
@pass_context
def intake_retry(ctx: Context, quarantine_id: int, database_url: str | None, as_json: bool) -> None:
    """Run quarantined message ID again; filed, it leaves the quarantine."""
    now = ctx.clock.now()
    settings = ctx.settings.intake
    with opened(ctx, database_url) as database, store_errors(database):
        who = acting_service(database, settings.service)
        result = service.retry(database, quarantine_id, now=now, service=who, settings=settings)
    _echo(result, as_json)


@intake.command("held")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@database_option
@pass_context
def intake_held(ctx: Context, database_url: str | None, as_json: bool) -> None:
    """List the quarantined messages still held (oldest first)."""
    with (
        opened(ctx, database_url) as database,
        store_errors(database),
        database.reading() as session,
    ):
        rows = session.execute(
            select(
                MailQuarantine.id,
                MailQuarantine.received_at,
                MailQuarantine.size,
                MailQuarantine.attempts,
                MailQuarantine.reason,
            )
            .where(MailQuarantine.status == "held")
            .order_by(MailQuarantine.id)
        ).all()
    items = [
        {
            "id": r.id,
            "received_at": ctx.desk_time(r.received_at),
            "size": r.size,
            "attempts": r.attempts,
            "reason": r.reason,
        }
        for r in rows
    ]
    if as_json:
        echo_json(items)
        return
    for item in items:
        click.echo(
            inert(
                f"quarantine {item['id']}: {item['received_at']}, {item['size']} bytes, "
                f"{item['attempts']} attempt(s): {item['reason']}"
            )
        )

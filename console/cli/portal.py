"""`switchboard portal`: serve the customer support website, and its accounts (leads)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from console.cli.common import Context, UserError, echo_json, pass_context
from console.cli.store_access import (
    database_option,
    opened,
    plain,
    run_write,
    store_errors,
    store_options,
    write_options,
)
from console.store import grants
from console.store.commands import portal as portal_commands
from console.store.db import Database
from console.text import inert


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--tls-proxy",
    is_flag=True,
    help="Browsers reach it over HTTPS through a proxy on this machine: Secure cookies, "
    "HSTS, client addresses from X-Forwarded-For sent by 127.0.0.1.",
)
@database_option
@pass_context
def portal(ctx: Context, host: str, port: int, tls_proxy: bool, database_url: str | None) -> None:
    """Serve the customer support website (until Ctrl-C)."""
    click_ctx = click.get_current_context()
    if click_ctx.invoked_subcommand is not None:
        return
    serve(ctx, database_url, host, port, tls_proxy)


def service_name(database: Database) -> str:
    """The service the portal writes as: its Postgres login's, else `portal`."""
    with database.engine.connect() as connection:
        kind, bound = grants.bound_to(connection)
    if kind == "service":
        return bound
    if kind == "owner":
        return portal_commands.SERVICE
    raise UserError(
        f"the database login {bound} is not a service login: the database owner runs "
        "switchboard db grant-service portal, and the portal connects as that login"
    )


def serve(ctx: Context, url: str | None, host: str, port: int, tls_proxy: bool) -> None:
    import uvicorn

    from console.web.app import PortalConfig, make_app

    with opened(ctx, url) as database, store_errors(database):
        config = PortalConfig(
            tls=tls_proxy,
            service=service_name(database),
            base_url=ctx.settings.portal.base_url.rstrip("/"),
        )
        app = make_app(database, ctx.clock, config)
        click.echo(inert(f"portal: serving http://{host}:{port}/ for {database.url}"))
        uvicorn.run(
            app,
            host=host,
            port=port,
            proxy_headers=tls_proxy,
            forwarded_allow_ips="127.0.0.1" if tls_proxy else None,
            server_header=False,
            log_level="warning",
        )


@portal.group()
def account() -> None:
    """Portal accounts: only for contacts of a customer, made by a lead."""


def _read_password(from_stdin: bool) -> str:
    from console.web.security import password_problem

    try:
        if not from_stdin and not sys.stdin.isatty():
            raise UserError("no terminal to ask for the password on: give --password-stdin")
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the password ({type(exc).__name__})") from None
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    return password


@account.command("add")
@click.argument("email")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.option(
    "--invite",
    is_flag=True,
    help="Mail the contact a single-use link to choose the password (no password asked).",
)
@write_options
@pass_context
def account_add(
    ctx: Context,
    /,
    email: str,
    password_stdin: bool,
    invite: bool,
    **store: Any,
) -> None:
    """Approve a portal account for the contact whose e-mail address is EMAIL (leads)."""
    from console.store.portal_tokens import NO_PASSWORD
    from console.web.security import Passwords, new_token, token_hash

    invitation = None
    if invite and password_stdin:
        raise UserError("give --invite or --password-stdin, not both")
    if invite:
        token = new_token()
        base = ctx.settings.portal.base_url.rstrip("/")
        invitation = (token_hash(token), f"{base}/reset/{token}")
        hashed = NO_PASSWORD
    else:
        hashed = Passwords().hash(_read_password(password_stdin))
    run_write(
        ctx,
        store,
        lambda s, who, now: portal_commands.add_account(
            s, who, now, email=email, password_hash=hashed, invite=invitation
        ),
        lambda v: (
            f"portal account {v.id}: {v.email}, {v.contact} of {v.customer}"
            + (" (invitation queued: switchboard pager sends it)" if invite else "")
        ),
    )


@account.command("disable")
@click.argument("email")
@write_options
@pass_context
def account_disable(ctx: Context, /, email: str, **store: Any) -> None:
    """Disable the portal account EMAIL: it cannot sign in, its sessions end (leads)."""
    run_write(
        ctx,
        store,
        lambda s, who, now: portal_commands.disable_account(s, who, now, email=email),
        lambda v: f"portal account {v.id}: {v.email} disabled",
    )


@account.command("list")
@store_options
@pass_context
def account_list(ctx: Context, database_url: str | None, actor: str | None, as_json: bool) -> None:
    """Every portal account: e-mail, contact, customer, designated, active."""
    with (
        opened(ctx, database_url) as database,
        store_errors(database),
        database.reading() as session,
    ):
        views = portal_commands.list_accounts(session)
    if as_json:
        echo_json([plain(ctx, v) for v in views])
        return
    for v in views:
        flags = ", ".join(
            f for f in ("designated" if v.designated else "", "" if v.active else "disabled") if f
        )
        click.echo(
            inert(f"{v.email}  {v.contact} of {v.customer}" + (f" ({flags})" if flags else ""))
        )


@account.command("asked")
@store_options
@pass_context
def account_asked(ctx: Context, database_url: str | None, actor: str | None, as_json: bool) -> None:
    """Contacts who asked for an account on the sign-in page and have none yet."""
    from console.store.commands.portal_asks import accounts_asked

    with (
        opened(ctx, database_url) as database,
        store_errors(database),
        database.reading() as session,
    ):
        views = accounts_asked(session)
    if as_json:
        echo_json([plain(ctx, v) for v in views])
        return
    for v in views:
        asked = ctx.desk_time(v.asked_at)
        click.echo(inert(f"{v.email}  {v.contact} of {v.customer}, asked {asked}"))


@click.command("reply")
@click.argument("request_id", metavar="ID", type=int)
@click.option("--message", metavar="TEXT", help="What the customer reads.")
@click.option("--body-file", metavar="F", help="Read the reply from file F (- for standard input).")
@write_options
@pass_context
def ticket_reply(
    ctx: Context,
    /,
    request_id: int,
    message: str | None,
    body_file: str | None,
    **store: Any,
) -> None:
    """Reply to the customer on request ID: shown on the portal's page of the request and,
    when the customer has an e-mail address, mailed to them (threaded; the pager sends it).
    The first reply to an open request stops its response clock."""
    if (message is None) == (body_file is None):
        raise click.UsageError("give the reply as --message TEXT or --body-file F (one of them)")
    if body_file is not None:
        message = _read_body(body_file)
    run_write(
        ctx,
        store,
        lambda s, who, now: portal_commands.desk_reply(
            s, who, now, request_id=request_id, body=message or ""
        ),
        _reply_line,
    )


def _read_body(name: str) -> str:
    shown = inert(name)
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = getattr(exc, "strerror", None) or "not a file name"
        raise UserError(f"cannot read {shown}: {reason}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{shown} is not UTF-8 text") from None


def _reply_line(v: portal_commands.ReplyView) -> str:
    where = (
        f"mailed to {v.mailed_to} and shown on the portal" if v.mailed_to else "sent to the portal"
    )
    clock = "; first response, the clock stopped" if v.responded else ""
    return f"request {v.request_id}: reply {v.id} {where}{clock}"

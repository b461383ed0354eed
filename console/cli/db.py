"""`switchboard db`: schema migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from alembic.util import CommandError
from sqlalchemy import Connection

from console.cli.common import Context, UserError, pass_context
from console.cli.store_access import database_option, opened, store_errors
from console.store import grants, schema
from console.store.commands.base import clean_handle
from console.store.db import Database


@contextmanager
def moving_to(revision: str) -> Iterator[None]:
    """Alembic's refusal of a revision (unknown, or '+2' past the newest) as one line."""
    try:
        yield
    except CommandError as exc:
        raise UserError(f"cannot migrate to revision {revision!r}: {exc}") from None
    except AssertionError:  # how Alembic refuses some malformed ones: '', '@', 'head-1'
        raise UserError(
            f"cannot migrate to revision {revision!r}: expected head, base, a revision id "
            "or a relative step such as +1 or -1"
        ) from None


@click.group("db")
def db() -> None:
    """The database schema (migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@database_option
@pass_context
def db_upgrade(ctx: Context, revision: str, database_url: str | None) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    with opened(ctx, database_url, check=False) as database, store_errors(database):
        with moving_to(revision):
            schema.upgrade(database.engine, revision)
        click.echo(f"{database.url} is at revision {schema.current_revision(database.engine)}")


@db.command("downgrade")
@click.argument("revision")
@database_option
@pass_context
def db_downgrade(ctx: Context, revision: str, database_url: str | None) -> None:
    """Migrate the database down to REVISION ('base' empties it)."""
    if revision != "base" and not revision.startswith("-") and not schema.known_revision(revision):
        raise UserError(f"unknown revision {revision!r}")
    with opened(ctx, database_url, check=False) as database, store_errors(database):
        with moving_to(revision):
            schema.downgrade(database.engine, revision)
        shown = schema.current_revision(database.engine) or "(empty)"
        click.echo(f"{database.url} is at revision {shown}")


@db.command("current")
@database_option
@pass_context
def db_current(ctx: Context, database_url: str | None) -> None:
    """Print the database's revision and the one this version needs."""
    with opened(ctx, database_url, check=False) as database, store_errors(database):
        current = schema.current_revision(database.engine)
        head = schema.head_revision()
        if current == head:
            verdict = "up to date"
        elif schema.is_newer(current):
            verdict = "the database is newer: upgrade switchboard"
        else:
            verdict = "run `switchboard db upgrade`"
        shown = current or "(empty)"
        click.echo(f"{database.url}: revision {shown}, this version needs {head} ({verdict})")


@db.command("grant")
@click.argument("handle")
@click.argument("role", type=click.Choice(sorted(grants.GROUPS)))
@click.option("--login", metavar="NAME", help="The login role's name (default: HANDLE).")
@database_option
@pass_context
def db_grant(
    ctx: Context, handle: str, role: str, login: str | None, database_url: str | None
) -> None:
    """Let HANDLE log in to the Postgres desk database with ROLE's privileges only.

    Run as the database owner. The login role is named like the handle (or --login) and
    acts only as HANDLE; give it a password with ALTER ROLE, or use the server's own
    authentication.
    """
    with owner_connection(ctx, database_url) as (database, connection):
        who = clean_handle(handle)  # a staff handle, not any name Postgres would take
        name = clean_handle(login) if login else who
        group = grants.grant(connection, who, role, name)
    click.echo(f"{name} logs in as {who}, a member of {group}, on {database.url}")


@db.command("grant-service")
@click.argument("service")
@click.option("--login", metavar="NAME", help="The login role's name (default: SERVICE).")
@database_option
@pass_context
def db_grant_service(
    ctx: Context, service: str, login: str | None, database_url: str | None
) -> None:
    """Let the service SERVICE (intake, pager, portal, ...) log in to the Postgres desk
    database: its events name the service and on whose behalf it acted."""
    with owner_connection(ctx, database_url) as (database, connection):
        who = clean_handle(service)
        name = clean_handle(login) if login else who
        group = grants.grant_service(connection, who, name)
    click.echo(f"{name} logs in as the service {who}, a member of {group}, on {database.url}")


@contextmanager
def owner_connection(
    ctx: Context, database_url: str | None
) -> Iterator[tuple[Database, Connection]]:
    """One transaction on the Postgres desk database, for the owner's role commands."""
    with opened(ctx, database_url) as database, store_errors(database):
        if database.dialect != "postgresql":
            raise UserError("database roles need Postgres: the embedded SQLite file has none")
        with database.engine.begin() as connection:
            yield database, connection

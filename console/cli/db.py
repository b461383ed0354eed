"""`switchboard db`: schema migrations."""

from __future__ import annotations

import click

from console.cli.common import Context, UserError, pass_context
from console.cli.store_access import database_option, opened, store_errors
from console.store import schema


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
        schema.downgrade(database.engine, revision)
        shown = schema.current_revision(database.engine) or "(empty)"
        click.echo(f"{database.url} is at revision {shown}")


@db.command("current")
@database_option
@pass_context
def db_current(ctx: Context, database_url: str | None) -> None:
    """Print the database's revision and the one this version needs."""
    with opened(ctx, database_url, check=False) as database, store_errors(database):
        current = schema.current_revision(database.engine) or "(empty)"
        head = schema.head_revision()
        verdict = "up to date" if current == head else "run `switchboard db upgrade`"
        click.echo(f"{database.url}: revision {current}, this version needs {head} ({verdict})")

"""What the desk-agent commands share: the database, who is acting, errors and JSON."""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from console.cli.common import Context, UserError
from console.domain.policy import Policy
from console.store import schema
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.errors import ConflictError, StoreError, database_failure
from console.store.policy import current_policy

F = TypeVar("F", bound=Callable[..., Any])


def store_options(fn: F) -> F:
    """Add --database, --as and --json to a command."""
    fn = click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")(fn)
    fn = click.option(
        "--as",
        "actor",
        metavar="HANDLE",
        envvar="SWITCHBOARD_USER",
        help="Who is acting (default: $SWITCHBOARD_USER, the database user, the login name).",
    )(fn)
    return database_option(fn)


def database_option(fn: F) -> F:
    return click.option(
        "--database",
        "database_url",
        metavar="URL",
        envvar="SWITCHBOARD_DATABASE_URL",
        callback=_policy_from_database,
        help="postgresql+psycopg://... or sqlite:///FILE (default: the embedded file).",
    )(fn)


def _policy_from_database(click_ctx: click.Context, _param: Any, url: str | None) -> str | None:
    # Times typed before the command opens the database are read in its policy's zone.
    ctx = click_ctx.ensure_object(Context)
    ctx.policy_loader = lambda: read_policy(ctx, url)
    return url


def read_policy(ctx: Context, url: str | None) -> Policy:
    """The policy in effect in the database at `url` (the configured one when None)."""
    with opened(ctx, url):  # which reads the policy into ctx
        return ctx.policy


def rules(ctx: Context) -> Rules:
    """The rules in effect for this command (read from its database once)."""
    return Rules(ctx.policy)


@contextmanager
def opened(ctx: Context, url: str | None, *, check: bool = True) -> Iterator[Database]:
    """The database, schema-checked (the embedded file is migrated on first use)."""
    settings = ctx.settings.database
    text = url or settings.url or None
    control = next((ch for ch in text or "" if ord(ch) < 0x20 or ord(ch) == 0x7F), None)
    if control is not None:  # a NUL would reach the driver as a ValueError
        raise UserError(f"the database URL contains a control character (U+{ord(control):04X})")
    with store_errors():
        database = open_database(text, busy_timeout=settings.busy_timeout)
    try:
        with store_errors(database):
            if check:
                schema.prepare(database)
                if ctx._policy is None:  # one read serves the whole command
                    with database.reading() as session:
                        ctx.policy = current_policy(session).policy
            yield database
    finally:
        database.dispose()


def identity(actor: str | None, database: Database) -> str:
    """--as / SWITCHBOARD_USER, else the database user name, else the login name."""
    if actor:
        return actor
    if database.user:
        return database.user
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        raise UserError("cannot tell who you are: give --as HANDLE") from None


@contextmanager
def store_errors(database: Database | None = None) -> Iterator[None]:
    """Store errors and database failures as one-line `UserError`s, never a password."""
    try:
        yield
    except ConflictError as exc:
        raise UserError(str(exc)) from None
    except StoreError as exc:
        raise UserError(str(exc)) from None
    except (OperationalError, DBAPIError) as exc:
        where = database.url if database else "the database"
        message = str(database_failure(exc, where))
        if database is not None and database.engine.url.password:
            message = message.replace(str(database.engine.url.password), "***")
        raise UserError(message) from None


def plain(ctx: Context, view: Any) -> dict[str, Any]:
    """A view as JSON-ready data, instants with the desk's offset."""
    data = dataclasses.asdict(view) if dataclasses.is_dataclass(view) else dict(view)
    return {key: _value(ctx, value) for key, value in data.items()}


def _value(ctx: Context, value: Any) -> Any:
    if isinstance(value, datetime):
        return ctx.desk_time(value)
    if isinstance(value, dict):
        return {k: _value(ctx, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(ctx, v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value

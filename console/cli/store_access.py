"""What the desk-agent commands share: the database, who is acting, errors and JSON, and
how a write runs: under an idempotency key, retried when its outcome is unknown."""

from __future__ import annotations

import dataclasses
import getpass
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from console.cli.common import Context, UserError, json_text
from console.domain.policy import Policy
from console.store import grants, schema
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.errors import ConflictError, OutcomeUnknown, StoreError, database_failure
from console.store.idempotency import Once, fingerprint, retrying, run_once
from console.store.policy import current_policy
from console.text import inert, inert_cell

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


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


#: click's `ctx.meta` key of --idempotency-key (not an argument of the command functions).
KEY_META = "switchboard.idempotency_key"
#: Parameters that do not change what a write asks for.
NOT_ASKED = frozenset({"database_url", "actor", "as_json"})


def write_options(fn: F) -> F:
    """`store_options` plus --idempotency-key, for a command that writes (see `run_command`)."""
    fn = click.option(
        "--idempotency-key",
        metavar="KEY",
        expose_value=False,
        callback=_remember_key,
        help="Run this write at most once: the same KEY again prints the first result.",
    )(fn)
    return store_options(fn)


def _remember_key(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[KEY_META] = value


def run_command(
    ctx: Context,
    database_url: str | None,
    actor: str | None,
    as_json: bool,
    action: Callable[[Any, str], Any],
    line: Callable[[Any], str],
) -> None:
    """Open the store, run one write as `actor` once, print the changed object.

    The write runs under --idempotency-key, or a key made here: a connection lost during
    COMMIT is retried with that key on a new connection, so the write lands exactly once,
    and the same key given again prints the first answer, JSON and one-line alike.
    """
    command = click.get_current_context()
    given = command.meta.get(KEY_META)
    key = given if given is not None else f"cli-{uuid.uuid4()}"
    asked = {name: value for name, value in command.params.items() if name not in NOT_ASKED}
    digest = fingerprint(command.command_path.split()[1:], asked)

    def render(result: Any) -> dict[str, Any]:
        return {"json": json_text(plain(ctx, result)), "line": inert(line(result))}

    with opened(ctx, database_url) as database, store_errors(database):
        who = identity(actor, database)
        once = Once(key, who, digest, ctx.clock.now(), render)

        def attempt() -> dict[str, Any]:
            with database.session() as session:
                return run_once(session, once, lambda s: action(s, who))

        try:
            answer = retrying(attempt)
        except OutcomeUnknown as exc:
            raise UserError(
                f"{exc}; run it again with --idempotency-key {key} to have it saved once"
            ) from None
    click.echo(answer["json"] if as_json else answer["line"])


def run_write(
    ctx: Context,
    store: dict[str, Any],
    action: Callable[[Session, str, datetime], T],
    line: Callable[[T], str],
) -> None:
    """`run_command` for a command with `write_options` (its `**store`): `action` runs as
    the acting handle at the clock's now, read before the database is opened."""
    now = ctx.clock.now()
    run_command(
        ctx,
        store["database_url"],
        store["actor"],
        store["as_json"],
        lambda session, who: action(session, who, now),
        line,
    )


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
    settings = ctx.database_settings
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
    """Who is acting. A Postgres login of a staff member or service is that one, and
    `--as` naming anyone else is refused before anything is written. The database owner,
    and SQLite: --as / SWITCHBOARD_USER, else the database user name, else the login name.
    """
    with database.engine.connect() as connection:
        kind, bound = grants.bound_to(connection)
    if kind == "unbound":
        raise UserError(
            f"the database login {bound} is bound to no staff member or service: "
            "the database owner runs switchboard db grant"
        )
    if kind != "owner":
        if actor and actor.strip().lower() != bound:
            raise UserError(
                f"you are connected as {bound}; --as {inert(actor)} is refused: "
                "the database records every change in the login's own name"
            )
        return bound
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
        ctx = click.get_current_context(silent=True)
        found = ctx.find_object(Context) if ctx else None
        raise UserError(conflict_line(exc, found or Context())) from None
    except StoreError as exc:
        raise UserError(str(exc)) from None
    except (OperationalError, DBAPIError) as exc:
        where = database.url if database else "the database"
        message = str(database_failure(exc, where))
        if database is not None and database.engine.url.password:
            message = message.replace(str(database.engine.url.password), "***")
        raise UserError(message) from None


def conflict_line(error: ConflictError, ctx: Context) -> str:
    """A lost race in the desk's words and time, one line: `request 249 (Fargo) was changed
    by lena at 14:02 CT (now version 4): look at it again (switchboard ticket show 249) and
    retry`."""
    from console.ui.format import short_day_time, zone_label  # only when a race is lost

    zone = ctx.policy.calendar.zone
    when = ""
    if error.changed_at is not None:
        when = f" at {short_day_time(error.changed_at, zone, ctx.clock.now())} {zone_label(zone)}"
    look = f" (switchboard ticket show {error.request_id})" if error.request_id else ""
    who = inert_cell(error.changed_by or "someone")
    return (
        f"{inert_cell(error.subject)} was changed by {who}{when} "
        f"(now version {error.version}): look at it again{look} and retry"
    )


def plain(ctx: Context, view: Any) -> dict[str, Any]:
    """A view as JSON-ready data, instants with the desk's offset."""
    is_view = dataclasses.is_dataclass(view) and not isinstance(view, type)
    data = dataclasses.asdict(view) if is_view else dict(view)
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

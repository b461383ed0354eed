"""Where a command's desk policy comes from: the database, or a TOML file (`--policy FILE`).

A policy file has the shape the settings file had before issue 13 (`[desk]`,
`[holidays]`, `[sla]`, `[[billing.rates]]`, plus `[dated]`), so an old settings file can be
given as it is: its personal sections (`[database]`, `[keymap]`...) are skipped. A file
that cannot be read or holds a bad value is one line naming the file and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any, TypeVar

import click

from console.cli.common import Context, UserError
from console.domain.policy import SECTIONS, Policy, PolicyError, normalise
from console.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def read_policy_file(path: str) -> dict[str, Any]:
    """The policy document in the TOML file `path`, checked and with defaults filled in."""
    source = f"policy file {path}"
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise UserError(f"{source}: no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path, bad TOML
        raise UserError(f"{source}: cannot read it ({exc})") from None
    personal = set(Settings.model_fields)
    unknown = [key for key in data if key not in SECTIONS and key not in personal]
    if unknown:
        raise UserError(f"{source}: unknown key '{unknown[0]}'")
    try:
        return normalise({key: value for key, value in data.items() if key in SECTIONS})
    except PolicyError as exc:
        raise UserError(f"{source}: {exc}") from None


def policy_source(fn: F) -> F:
    """Add `--database URL` and `--policy FILE` (which wins) to a command that only reads."""
    fn = click.option(
        "--policy",
        "policy_file",
        metavar="FILE",
        callback=_from_file,
        help="Apply the policy in this TOML file instead of the database's.",
    )(fn)
    return click.option(
        "--database",
        "database_url",
        metavar="URL",
        envvar="SWITCHBOARD_DATABASE_URL",
        callback=_from_database,
        help="Apply the policy in effect in this database (default: the contract's).",
    )(fn)


def _from_file(click_ctx: click.Context, _param: Any, path: str | None) -> str | None:
    if path is not None:
        click_ctx.ensure_object(Context).policy = Policy(read_policy_file(path))
    return path


def _from_database(click_ctx: click.Context, _param: Any, url: str | None) -> str | None:
    from console.cli.store_access import read_policy  # the store only when it is used

    ctx = click_ctx.ensure_object(Context)
    chosen = url or ctx.settings.database.url or None
    if chosen is not None:
        ctx.policy_loader = lambda: read_policy(ctx, chosen)
    return url

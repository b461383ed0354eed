"""What every `switchboard` command shares: settings, the clock, errors, output."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from console.clock import Clock, SystemClock
from console.domain.localtime import LocalTimeError, parse_typed
from console.domain.policy import Policy
from console.text import OBEYED

if TYPE_CHECKING:
    from console.settings import Settings


class UserError(click.ClickException):
    """A problem with what the user asked for; printed as one line, exit status 1."""


@dataclass
class Context:
    """The object click passes to every command (`ctx.obj`)."""

    config_path: str | None = None
    clock: Clock = field(default_factory=SystemClock)
    _settings: Settings | None = None
    _policy: Policy | None = None
    #: Reads the policy in effect where this command works (the database, a `--policy`
    #: file); set by those options. Without one: the contract's defaults.
    policy_loader: Callable[[], Policy] | None = None

    @property
    def policy(self) -> Policy:
        """The desk policy this command applies, read once."""
        if self._policy is None:
            self._policy = self.policy_loader() if self.policy_loader else Policy.defaults()
        return self._policy

    @policy.setter
    def policy(self, value: Policy) -> None:
        self._policy = value

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            # Here, not at the top: pydantic costs every command a tenth of a second.
            from console.settings import SettingsError, load_settings

            if self.config_path and "\x00" in self.config_path:  # open() raises ValueError
                raise UserError(f"settings file {self.config_path!r}: no such file")
            try:
                self._settings = load_settings(self.config_path)
            except SettingsError as exc:
                raise UserError(str(exc)) from None
        return self._settings

    @property
    def database_settings(self) -> DatabaseChoice:
        """The database URL and SQLite busy timeout. Without a settings file or an override
        of a settings key these are the defaults (and $SWITCHBOARD_DATABASE_URL), known
        without loading pydantic (a tenth of a second of every command); else `settings`."""
        if self._settings is None and self.config_path is None and not _overridden(os.environ):
            return DatabaseChoice(os.environ.get("SWITCHBOARD_DATABASE_URL", ""))
        database = self.settings.database
        return DatabaseChoice(database.url, database.busy_timeout)

    def instant(self, text: str | None, option: str, *, past: bool = False) -> datetime:
        """`text` as a UTC instant, or now when absent: `HH:MM`, `today 18:00`, `tomorrow
        07:00`, `mon 09:00` or ISO-8601, desk-local without an offset, read by the parser
        the console uses (`parse_typed`). `past`: a bare `HH:MM` is the latest one not
        after now (when something was received or done), else today's."""
        if text is None:
            return self.clock.now()
        try:
            return parse_typed(text, self.policy.calendar.zone, self.clock.now(), past=past)
        except LocalTimeError as exc:
            raise UserError(f"{option}: {exc}") from None

    def desk_time(self, at: datetime | None) -> str | None:
        """An instant as ISO-8601 with the desk's offset, to the second (no fraction), e.g.
        2026-11-30T10:00:00-06:00."""
        if at is None:
            return None
        return at.astimezone(self.policy.calendar.zone).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class DatabaseChoice:
    """Where the desk database is and how long an SQLite writer waits (seconds)."""

    url: str
    #: The default of `console.settings.DatabaseSettings.busy_timeout` (a test checks it).
    busy_timeout: float = 10.0


#: The top-level keys of `console.settings.Settings` (a test checks them): the environment
#: overrides one as SWITCHBOARD_KEY or SWITCHBOARD_KEY__SUBKEY.
SETTINGS_KEYS = frozenset(
    {
        "DATABASE",
        "COVERAGE",
        "FEED",
        "CONSOLE",
        "FOLLOWUPS",
        "KEYMAP",
        "INTAKE",
        "MAIL",
        "PAGER",
        "PORTAL",
    }
)


def _overridden(env: Mapping[str, str]) -> bool:
    """Whether `env` overrides (or tries to) any settings key, a policy one included."""
    for name in env:
        upper = name.upper()
        if upper.startswith("SWITCHBOARD_"):
            key = upper.removeprefix("SWITCHBOARD_")
            if "__" in key or key in SETTINGS_KEYS:
                return True
    return False


pass_context = click.make_pass_decorator(Context, ensure=True)


#: JSON escapes the C0 controls itself; the others may be written as \uXXXX in its strings.
_UNSAFE_IN_JSON = re.compile(f"[{OBEYED}]")


def echo_json(payload: Any) -> None:
    """One JSON document: text exact, but nothing raw in it that a terminal would obey."""
    click.echo(json_text(payload))


def json_text(payload: Any) -> str:
    """What `echo_json` prints for `payload` (without the newline)."""
    text = json.dumps(payload, default=_json_default, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat()
    return str(value)

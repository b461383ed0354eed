"""What every `switchboard` command shares: settings, the clock, errors, output."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import click

from console.clock import Clock, SystemClock
from console.domain.localtime import LocalTimeError, parse_instant
from console.domain.policy import Policy
from console.settings import Settings, SettingsError, load_settings
from console.text import OBEYED


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
            if self.config_path and "\x00" in self.config_path:  # open() raises ValueError
                raise UserError(f"settings file {self.config_path!r}: no such file")
            try:
                self._settings = load_settings(self.config_path)
            except SettingsError as exc:
                raise UserError(str(exc)) from None
        return self._settings

    def instant(self, text: str | None, option: str) -> datetime:
        """`text` as a UTC instant (desk-local without an offset), or now when absent."""
        if text is None:
            return self.clock.now()
        try:
            return parse_instant(text, self.policy.calendar.zone)
        except LocalTimeError as exc:
            raise UserError(f"{option}: {exc}") from None

    def desk_time(self, at: datetime | None) -> str | None:
        """An instant as ISO-8601 with the desk's offset, e.g. 2026-11-30T10:00:00-06:00."""
        if at is None:
            return None
        return at.astimezone(self.policy.calendar.zone).isoformat()


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
        return value.astimezone(UTC).isoformat()
    return str(value)

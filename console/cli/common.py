"""What every `switchboard` command shares: settings, the clock, errors, output."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import click

from console.clock import Clock, SystemClock
from console.domain.localtime import LocalTimeError, parse_instant
from console.settings import Settings, SettingsError, load_settings


class UserError(click.ClickException):
    """A problem with what the user asked for; printed as one line, exit status 1."""


@dataclass
class Context:
    """The object click passes to every command (`ctx.obj`)."""

    config_path: str | None = None
    clock: Clock = field(default_factory=SystemClock)
    _settings: Settings | None = None

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
            return parse_instant(text, self.settings.calendar.zone)
        except LocalTimeError as exc:
            raise UserError(f"{option}: {exc}") from None

    def desk_time(self, at: datetime | None) -> str | None:
        """An instant as ISO-8601 with the desk's offset, e.g. 2026-11-30T10:00:00-06:00."""
        if at is None:
            return None
        return at.astimezone(self.settings.calendar.zone).isoformat()


pass_context = click.make_pass_decorator(Context, ensure=True)


#: What a terminal obeys rather than shows, or what reorders the text around it, beyond
#: the C0 controls: DEL, C1 controls, the bidi marks, embeddings, overrides and isolates,
#: the line and paragraph separators, and lone surrogates (which cannot even be encoded).
_OBEYED = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
#: In one printed value the C0 controls too: a newline or tab there forges a line or a column.
_UNSAFE = re.compile(f"[\x00-\x1f{_OBEYED}]")
#: JSON escapes the C0 controls itself; the others may be written as \uXXXX in its strings.
_UNSAFE_IN_JSON = re.compile(f"[{_OBEYED}]")


def inert(text: str) -> str:
    """Text made safe to print on a terminal: each character a terminal would obey (ESC,
    CR, NUL, a bidi override...) shown as an escape, `\\x1b` or `\\u202e`, not obeyed.

    For one printed line, whether the text was typed or stored by any SQL client.
    """
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def echo_json(payload: Any) -> None:
    """One JSON document: text exact, but nothing raw in it that a terminal would obey."""
    text = json.dumps(payload, default=_json_default, ensure_ascii=False)
    click.echo(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)

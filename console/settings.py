"""One typed settings object for what is personal or per machine: a TOML file, then
`SWITCHBOARD_*` environment overrides.

Why: the desk's policy (hours, holidays, targets, rates) is shared by everyone and lives
in the database (`console.store.policy`); what is left here is one person's or one
machine's: the database URL, the keymap, the bell, the idle re-sort, the feed's timing,
the coverage horizon. Nested keys are overridden with a double underscore, e.g.
`SWITCHBOARD_CONSOLE__BELL=false`; `SWITCHBOARD_DATABASE_URL` is a short form of
`SWITCHBOARD_DATABASE__URL`.

How it fails: `SettingsError`, one line naming the file and the key. A policy section in
the file (`[desk]`, `[holidays]`, `[sla]`, `[billing]`, `[dated]`) or a policy variable
(`SWITCHBOARD_DESK__ZONE`) is refused with a pointer to `switchboard policy`, rather than
silently ignored while the desk runs on another calendar.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from console.domain.policy import SECTIONS as POLICY_SECTIONS


class SettingsError(Exception):
    """A settings file or override that cannot be used; the message is one line."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    #: SQLAlchemy URL; empty means the embedded SQLite file in the user data directory.
    url: str = ""
    #: SQLite: seconds a write waits for another writer before failing as "database is busy".
    busy_timeout: float = Field(default=10.0, ge=0, le=600)


class CoverageSettings(_Section):
    gap_horizon_days: int = Field(default=7, ge=1, le=60)


class FeedSettings(_Section):
    #: SQLite has no push: how often a console polls (seconds).
    poll_interval: float = Field(default=0.5, gt=0, le=60)
    #: Postgres: a read every this many seconds even without a notification.
    safety_interval: float = Field(default=5.0, gt=0, le=300)
    #: Reconnecting for longer than this is shown as offline.
    offline_after: float = Field(default=30.0, gt=0)


class FollowupSettings(_Section):
    #: Days from a routine check-in to the next one, unless `followup done --next` says.
    default_days: int = Field(default=30, ge=1, le=366)


class ConsoleSettings(_Section):
    #: Ring the terminal bell on a new emergency or a new breach.
    bell: bool = True
    #: Re-sort the queue after this many seconds without a key press.
    idle_resort_seconds: float = Field(default=3.0, ge=0.5, le=600)
    #: Blink the text cursor of input fields (the snapshot tests turn it off).
    cursor_blink: bool = True
    #: Animate scrolling and the like (off: every frame is final at once).
    animations: bool = True


class ImapSettings(_Section):
    """The mailbox `switchboard intake imap` fetches from."""

    host: str = ""
    port: int = Field(default=993, ge=1, le=65535)
    #: "tls" (IMAPS), "starttls", or "none" (a loopback test server only).
    tls: Literal["tls", "starttls", "none"] = "tls"
    user: str = ""
    #: The password comes from this environment variable, or from `password_file`.
    password_env: str = "SWITCHBOARD_IMAP_PASSWORD"
    password_file: str = ""
    folders: tuple[str, ...] = ("INBOX",)
    #: Where a message goes once filed (new, reply, duplicate, ignored); empty: it stays.
    processed_folder: str = ""
    #: Where a message goes that intake quarantined; empty: `processed_folder`.
    quarantine_folder: str = ""
    #: Wait for new mail with IMAP IDLE (RFC 2177) where the server has it.
    idle: bool = True
    #: IDLE is ended and entered again at least this often (servers drop it at 30 min).
    idle_seconds: float = Field(default=540.0, gt=0, le=1740)
    #: Seconds between looks at the folders without IDLE (or with several folders).
    poll_seconds: float = Field(default=30.0, gt=0, le=3600)
    #: Reconnecting waits 1, 2, 4 ... seconds, at most this long.
    max_backoff: float = Field(default=60.0, gt=0, le=3600)


class IntakeSettings(_Section):
    """Mail and voicemail intake (`switchboard intake pipe`), on the machine that runs it."""

    #: An attachment larger than this (MB) is refused politely: name, size and hash kept.
    attachment_limit_mb: float = Field(default=25.0, gt=0, le=1024)
    #: A message larger than this (MB) is not read at all: quarantined whole.
    max_message_mb: float = Field(default=100.0, gt=0, le=4096)
    #: A customer's reply to a request resolved at most this many days ago reopens it;
    #: a later one starts a new request that links to the old one.
    reopen_days: int = Field(default=14, ge=0, le=3650)
    #: The service intake acts as (its Postgres login from `db grant-service`).
    service: str = Field(default="intake", pattern=r"^[a-z][a-z0-9._-]{0,31}$")
    #: A new request from a known contact is acknowledged by mail (at most one an hour
    #: to one address), with its number and when they will hear back.
    acknowledge: bool = True
    imap: ImapSettings = ImapSettings()


class MailSettings(_Section):
    """Outgoing mail (SMTP): pages, and later replies and password resets."""

    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    #: `starttls` (upgrade a plain connection), `tls` (TLS from the start, port 465), `none`.
    security: Literal["starttls", "tls", "none"] = "starttls"
    #: Log in as this user ("" = no login); the password is read from the variable below.
    user: str = ""
    password_env: str = "SWITCHBOARD_MAIL_PASSWORD"
    from_address: str = "switchboard@localhost"
    timeout: float = Field(default=30.0, gt=0, le=600)


class PagerSettings(_Section):
    """`switchboard pager`: how often it looks, how it retries."""

    #: Longest sleep between two looks (Postgres also wakes on every event).
    poll_interval: float = Field(default=2.0, gt=0, le=300)
    #: A message claimed by a sender that dies is retried after this long.
    lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    #: A message is `failed` after this many attempts.
    max_attempts: int = Field(default=8, ge=1, le=100)
    #: The wait after the first failed attempt; it doubles with each one, up to the cap.
    retry_base_seconds: float = Field(default=30.0, gt=0, le=3600)
    retry_cap_seconds: float = Field(default=1800.0, gt=0, le=86400)


class PortalSettings(_Section):
    """`switchboard portal`: the address its mailed links point at."""

    #: The portal's public address as customers and staff reach it (no trailing slash):
    #: password reset, invitation and page-acknowledgement links start with it.
    base_url: str = Field(default="http://127.0.0.1:8080", pattern=r"^https?://[^\s/]+(/[^\s]*)?$")


class Settings(BaseSettings):
    """Everything configurable, validated once at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="SWITCHBOARD_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    database: DatabaseSettings = DatabaseSettings()
    coverage: CoverageSettings = CoverageSettings()
    feed: FeedSettings = FeedSettings()
    console: ConsoleSettings = ConsoleSettings()
    followups: FollowupSettings = FollowupSettings()
    intake: IntakeSettings = IntakeSettings()
    mail: MailSettings = MailSettings()
    pager: PagerSettings = PagerSettings()
    portal: PortalSettings = PortalSettings()
    #: Binding id to keys, e.g. {"switchboard.quit" = "ctrl+q"}; see the help screen.
    keymap: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment beats the file, which is passed in as init values.
        return (env_settings, init_settings)


def load_settings(path: str | Path | None = None) -> Settings:
    """Read `path` (or `SWITCHBOARD_CONFIG`), apply the environment, and validate.

    Raises `SettingsError` with one line naming the file and the key at fault.
    """
    env = os.environ
    chosen = path or env.get("SWITCHBOARD_CONFIG") or None
    source = f"settings file {chosen}" if chosen else "settings"
    data: dict[str, Any] = {}
    _refuse_policy_variables(env)
    if chosen:
        try:
            with open(chosen, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise SettingsError(f"{source}: no such file") from None
        except OSError as exc:
            raise SettingsError(f"{source}: cannot read it ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{source}: not valid TOML ({exc})") from None
    _refuse_policy_keys(data, source)
    database_url = env.get("SWITCHBOARD_DATABASE_URL")
    try:
        settings = Settings(**data)
        if database_url:
            database = settings.database.model_copy(update={"url": database_url})
            settings = settings.model_copy(update={"database": database})
    except ValidationError as exc:
        raise SettingsError(f"{source}: {_describe(exc)}") from None
    return settings


def _refuse_policy_keys(data: dict[str, Any], source: str) -> None:
    for section in POLICY_SECTIONS:
        if section in data:
            raise SettingsError(
                f"{source}: '[{section}]' is desk policy, kept in the database for everyone: "
                "remove it here and load it with `switchboard policy import FILE`"
            )


def _refuse_policy_variables(env: Mapping[str, str]) -> None:
    for name in sorted(env):
        section = name.removeprefix("SWITCHBOARD_").partition("__")[0].lower()
        if name.startswith("SWITCHBOARD_") and "__" in name and section in POLICY_SECTIONS:
            raise SettingsError(
                f"${name} is desk policy, kept in the database for everyone: unset it and "
                "change the policy with `switchboard policy ...` (see `policy show`)"
            )


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    message = first["msg"].removeprefix("Value error, ")
    more = exc.error_count() - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"key '{key}': {message}{tail}"

"""One typed settings object: a TOML file, then `SWITCHBOARD_*` environment overrides.

Every default of POLICY.md lives here as a setting. Nested keys are overridden with a
double underscore, e.g. `SWITCHBOARD_DESK__ZONE=America/New_York` or
`SWITCHBOARD_SLA__EMAIL__TARGET_MINUTES=120`; `SWITCHBOARD_DATABASE_URL` is a short
form of `SWITCHBOARD_DATABASE__URL`.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, time
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from console.domain.billing import Rate
from console.domain.calendar import CalendarRules, DeskCalendar, OpeningHours
from console.domain.localtime import LocalTimeError, zone_named
from console.domain.sla import EMERGENCY, Channel, ClockKind, SlaPolicy, SlaRules, Target

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class SettingsError(Exception):
    """A settings file or override that cannot be used; the message is one line."""


def _hours(value: str) -> OpeningHours | None:
    text = value.strip().lower()
    if text == "closed":
        return None
    try:
        start, end = (part.strip() for part in text.split("-"))
        return OpeningHours(_clock_time(start), _clock_time(end))
    except ValueError as exc:
        raise ValueError(
            f"{value!r} is not opening hours like '07:00-19:00' or 'closed' ({exc})"
        ) from None


def _clock_time(text: str) -> time:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not HH:MM")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(f"{text!r} is not a time of day")
    return time(h, m)


def _zone(value: str) -> str:
    try:
        zone_named(value)
    except LocalTimeError as exc:
        raise ValueError(str(exc)) from None
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeskSettings(_Section):
    zone: Annotated[str, AfterValidator(_zone)] = "America/Chicago"
    monday: str = "07:00-19:00"
    tuesday: str = "07:00-19:00"
    wednesday: str = "07:00-19:00"
    thursday: str = "07:00-19:00"
    friday: str = "07:00-19:00"
    saturday: str = "closed"
    sunday: str = "closed"

    @field_validator(*WEEKDAYS)
    @classmethod
    def _check_hours(cls, value: str) -> str:
        _hours(value)
        return value

    @model_validator(mode="after")
    def _some_day_open(self) -> DeskSettings:
        if all(_hours(getattr(self, day)) is None for day in WEEKDAYS):
            raise ValueError("the desk must open on at least one weekday")
        return self


class HolidaySettings(_Section):
    #: ISO country code for the `holidays` package, or "" for no public holidays.
    country: str = "US"
    subdivision: str = ""
    observed: bool = True
    #: Extra closures: date to name.
    add: dict[date, str] = Field(default_factory=dict)
    #: Dates the desk works although the country has a holiday.
    remove: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_country(self) -> HolidaySettings:
        if self.country:
            import holidays

            try:
                holidays.country_holidays(self.country, subdiv=self.subdivision or None)
            except NotImplementedError as exc:
                raise ValueError(str(exc)) from None
        return self


class TargetSettings(_Section):
    target_minutes: int = Field(ge=0)
    clock: ClockKind


#: Each channel's target: minutes and clock (POLICY.md section 2).
TARGET_DEFAULTS: dict[str, tuple[int, str]] = {
    "call": (0, "none"),
    "voicemail": (240, "business"),
    "email": (240, "business"),
    "portal": (240, "business"),
    "emergency": (60, "wall"),
}


class SlaSettings(_Section):
    call: TargetSettings
    voicemail: TargetSettings
    email: TargetSettings
    portal: TargetSettings
    emergency: TargetSettings
    warning_fraction: float = Field(default=0.25, gt=0, lt=1)

    @model_validator(mode="before")
    @classmethod
    def _channel_defaults(cls, data: Any) -> Any:
        # A file or variable that sets one key of a channel keeps that channel's others.
        if isinstance(data, dict):
            data = dict(data)
            for name, (minutes, clock) in TARGET_DEFAULTS.items():
                given = data.get(name, {})
                if isinstance(given, dict):
                    data[name] = {"target_minutes": minutes, "clock": clock, **given}
        return data


class RateSettings(_Section):
    effective: date
    hourly: Decimal = Field(ge=0, decimal_places=2)


class BillingSettings(_Section):
    rates: list[RateSettings] = Field(
        default_factory=lambda: [
            RateSettings(effective=date(2020, 1, 1), hourly=Decimal("200.00"))
        ],
        min_length=1,
    )


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


class Settings(BaseSettings):
    """Everything configurable, validated once at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="SWITCHBOARD_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    desk: DeskSettings = DeskSettings()
    holidays: HolidaySettings = HolidaySettings()
    sla: SlaSettings = SlaSettings.model_validate({})
    billing: BillingSettings = BillingSettings()
    database: DatabaseSettings = DatabaseSettings()
    coverage: CoverageSettings = CoverageSettings()
    feed: FeedSettings = FeedSettings()
    console: ConsoleSettings = ConsoleSettings()
    followups: FollowupSettings = FollowupSettings()
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

    # -- the domain objects these settings describe -----------------------------------

    @cached_property
    def calendar_rules(self) -> CalendarRules:
        hours = {
            index: span
            for index, day in enumerate(WEEKDAYS)
            if (span := _hours(getattr(self.desk, day))) is not None
        }
        return CalendarRules(
            zone=self.desk.zone,
            hours=hours,
            holiday_country=self.holidays.country or None,
            holiday_subdivision=self.holidays.subdivision or None,
            holiday_observed=self.holidays.observed,
            added=dict(self.holidays.add),
            removed=frozenset(self.holidays.remove),
        )

    @cached_property
    def calendar(self) -> DeskCalendar:
        return DeskCalendar(self.calendar_rules)

    @cached_property
    def sla_policy(self) -> SlaPolicy:
        targets = {
            key: Target(t.target_minutes, t.clock)
            for key, t in (
                (Channel.CALL, self.sla.call),
                (Channel.VOICEMAIL, self.sla.voicemail),
                (Channel.EMAIL, self.sla.email),
                (Channel.PORTAL, self.sla.portal),
                (EMERGENCY, self.sla.emergency),
            )
        }
        return SlaPolicy(self.calendar, SlaRules(targets, self.sla.warning_fraction))

    @cached_property
    def rates(self) -> tuple[Rate, ...]:
        return tuple(Rate(r.effective, r.hourly) for r in self.billing.rates)


def load_settings(path: str | Path | None = None) -> Settings:
    """Read `path` (or `SWITCHBOARD_CONFIG`), apply the environment, and validate.

    Raises `SettingsError` with one line naming the file and the key at fault.
    """
    env = os.environ
    chosen = path or env.get("SWITCHBOARD_CONFIG") or None
    source = f"settings file {chosen}" if chosen else "settings"
    data: dict[str, Any] = {}
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
    database_url = env.get("SWITCHBOARD_DATABASE_URL")
    try:
        settings = Settings(**data)
        if database_url:
            database = settings.database.model_copy(update={"url": database_url})
            settings = settings.model_copy(update={"database": database})
    except ValidationError as exc:
        raise SettingsError(f"{source}: {_describe(exc)}") from None
    return settings


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    message = first["msg"].removeprefix("Value error, ")
    more = exc.error_count() - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"key '{key}': {message}{tail}"

"""The desk policy as one document: hours, holidays, targets, warning fraction, rates.

Why: the contract's rules must be the same for every process of a desk, so they live in
the database as versioned documents (see `console.store.policy`), not in each person's
settings file. This module is the pure half: the document's shape (the TOML shape the
settings file used to have: `desk`, `dated`, `holidays`, `sla`, `billing`), its
validation, the domain objects it describes (`Policy`), and the edits a lead can make,
each returning a new document.

How it fails: `Policy.from_document` raises `PolicyError` with one line naming the key
at fault (`desk.monday: '07:00-25:00' ...`); an edit that would make an invalid
policy raises the same, so a caller never holds a half-valid document.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from console.domain.billing import Rate
from console.domain.calendar import CalendarRules, DeskCalendar
from console.domain.hours import HoursError, format_windows, parse_windows
from console.domain.localtime import LocalTimeError, zone_named
from console.domain.paging import PagingError, PagingRules, default_section, normalise_section
from console.domain.sla import EMERGENCY, Channel, ClockKind, SlaPolicy, SlaRules, Target

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CHANNELS = ("call", "voicemail", "email", "portal", EMERGENCY)
#: The sections a policy document has; a settings file holding one of them is refused.
SECTIONS = ("desk", "dated", "holidays", "sla", "billing", "paging")


class PolicyError(ValueError):
    """A policy document or edit that cannot be used; the message is one line."""


def default_document() -> dict[str, Any]:
    """The contract's policy (POLICY.md sections 1, 2 and 4), as a fresh desk starts."""
    return {
        "desk": {"zone": "America/Chicago"}
        | {day: "07:00-19:00" if i < 5 else "closed" for i, day in enumerate(WEEKDAYS)},
        "dated": {},
        "holidays": {"country": "US", "subdivision": "", "observed": True, "add": {}, "remove": []},
        "sla": {
            "warning_fraction": 0.25,
            "call": {"target_minutes": 0, "clock": "none"},
            "voicemail": {"target_minutes": 240, "clock": "business"},
            "email": {"target_minutes": 240, "clock": "business"},
            "portal": {"target_minutes": 240, "clock": "business"},
            EMERGENCY: {"target_minutes": 60, "clock": "wall"},
        },
        "billing": {"rates": [{"effective": "2020-01-01", "hourly": "200.00"}]},
        "paging": default_section(),
    }


# -- reading values -------------------------------------------------------------------


def _day(value: Any, key: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PolicyError(f"{key}: {str(value)[:40]!r} is not a date like 2026-11-27") from None


def _section(doc: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name, {})
    if not isinstance(value, Mapping):
        raise PolicyError(f"{name}: must be a table")
    return dict(value)


def _only(section: Mapping[str, Any], allowed: tuple[str, ...], name: str) -> None:
    for key in section:
        if key not in allowed:
            raise PolicyError(f"unknown key '{name}.{key}'")


def normalise(doc: Mapping[str, Any]) -> dict[str, Any]:
    """`doc` with every default filled in and every value checked, as JSON-ready data.

    Raises `PolicyError` naming the first key at fault.
    """
    if not isinstance(doc, Mapping):
        raise PolicyError("a policy must be a table")
    for key in doc:
        if key not in SECTIONS:
            raise PolicyError(f"unknown key '{key}'")
    base = default_document()
    desk = base["desk"] | _section(doc, "desk")
    _only(desk, ("zone", *WEEKDAYS), "desk")
    try:
        zone_named(str(desk["zone"]))
    except LocalTimeError as exc:
        raise PolicyError(f"desk.zone: {exc}") from None
    for day in WEEKDAYS:
        desk[day] = _windows_of(desk[day], f"desk.{day}")
    if all(not parse_windows(desk[day]) for day in WEEKDAYS):
        raise PolicyError("desk: the desk must open on at least one weekday")
    dated: dict[str, str] = {}
    for key, value in sorted(_section(doc, "dated").items(), key=lambda kv: str(kv[0])):
        dated_day = _day(key, f"dated.{key}")
        dated[dated_day.isoformat()] = _windows_of(value, f"dated.{dated_day}")
    hol = base["holidays"] | _section(doc, "holidays")
    _only(hol, ("country", "subdivision", "observed", "add", "remove"), "holidays")
    hol = _holidays(hol)
    sla = base["sla"] | _section(doc, "sla")
    _only(sla, ("warning_fraction", *CHANNELS), "sla")
    sla = _sla(sla, base["sla"])
    billing = base["billing"] | _section(doc, "billing")
    _only(billing, ("rates",), "billing")
    try:
        paging = normalise_section(_section(doc, "paging"))
    except PagingError as exc:
        raise PolicyError(str(exc)) from None
    return {
        "desk": desk,
        "dated": dated,
        "holidays": hol,
        "sla": sla,
        "billing": {"rates": _rates(billing["rates"])},
        "paging": paging,
    }


def _windows_of(value: Any, key: str) -> str:
    """`value` checked and in its canonical text (`07:00-12:00,13:00-19:00` or `closed`)."""
    try:
        return format_windows(parse_windows(str(value)))
    except HoursError as exc:
        raise PolicyError(f"{key}: {exc}") from None


def _holidays(hol: dict[str, Any]) -> dict[str, Any]:
    country, subdivision = str(hol["country"] or ""), str(hol["subdivision"] or "")
    if country:
        import holidays as holidays_lib  # here: the package costs every command 30 ms

        try:
            holidays_lib.country_holidays(country, subdiv=subdivision or None)
        except NotImplementedError as exc:
            raise PolicyError(f"holidays.country: {exc}") from None
    if not isinstance(hol["observed"], bool):
        raise PolicyError("holidays.observed: must be true or false")
    add = hol["add"]
    if not isinstance(add, Mapping):
        raise PolicyError("holidays.add: must be a table of date = name")
    added = {}
    for key, name in add.items():
        day = _day(key, f"holidays.add.{key}")
        text = str(name).strip()
        if not text or len(text) > 200 or not text.isprintable():
            raise PolicyError(f"holidays.add.{day}: the name must be 1 to 200 printable characters")
        added[day.isoformat()] = text
    if not isinstance(hol["remove"], list | tuple):
        raise PolicyError("holidays.remove: must be a list of dates")
    removed = sorted({_day(v, "holidays.remove").isoformat() for v in hol["remove"]})
    return {
        "country": country,
        "subdivision": subdivision,
        "observed": hol["observed"],
        "add": dict(sorted(added.items())),
        "remove": removed,
    }


def _sla(sla: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    fraction = sla["warning_fraction"]
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) or not 0 < fraction < 1:
        raise PolicyError(f"sla.warning_fraction: {fraction!r} is not a number between 0 and 1")
    out: dict[str, Any] = {"warning_fraction": float(fraction)}
    for channel in CHANNELS:
        given = sla[channel]
        if not isinstance(given, Mapping):
            raise PolicyError(f"sla.{channel}: must be a table")
        target = defaults[channel] | dict(given)
        _only(target, ("target_minutes", "clock"), f"sla.{channel}")
        minutes = target["target_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 525600:
            raise PolicyError(
                f"sla.{channel}.target_minutes: {minutes!r} is not whole minutes from 0 to 525600"
            )
        clocks = [c.value for c in ClockKind]
        if target["clock"] not in clocks:
            raise PolicyError(f"sla.{channel}.clock: {target['clock']!r} is not one of {clocks}")
        out[channel] = {"target_minutes": minutes, "clock": target["clock"]}
    return out


def _rates(rates: Any) -> list[dict[str, str]]:
    if not isinstance(rates, list | tuple) or not rates:
        raise PolicyError("billing.rates: must be a list of at least one rate")
    out: dict[str, str] = {}
    for index, rate in enumerate(rates):
        key = f"billing.rates[{index}]"
        if not isinstance(rate, Mapping) or set(rate) != {"effective", "hourly"}:
            raise PolicyError(f"{key}: needs exactly 'effective' and 'hourly'")
        day = _day(rate["effective"], f"{key}.effective").isoformat()
        try:
            hourly = Decimal(str(rate["hourly"]))
        except InvalidOperation:
            shown = str(rate["hourly"])[:40]
            raise PolicyError(f"{key}.hourly: {shown!r} is not an amount") from None
        if not hourly.is_finite() or hourly < 0 or hourly > 1_000_000:
            raise PolicyError(f"{key}.hourly: {hourly} is not an amount from 0 to 1000000")
        if hourly != hourly.quantize(Decimal("0.01")):
            raise PolicyError(f"{key}.hourly: {hourly} has more than two decimal places")
        if day in out:
            raise PolicyError(f"{key}.effective: two rates take effect on {day}")
        out[day] = f"{hourly:.2f}"
    return [{"effective": day, "hourly": out[day]} for day in sorted(out)]


# -- the domain objects ---------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """A validated policy document and the calendar, SLA and rates it describes."""

    document: Mapping[str, Any]

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Policy:
        return cls(normalise(doc))

    @classmethod
    def defaults(cls) -> Policy:
        return cls(default_document())

    @cached_property
    def calendar_rules(self) -> CalendarRules:
        desk, hol = self.document["desk"], self.document["holidays"]
        hours = {i: w for i, day in enumerate(WEEKDAYS) if (w := parse_windows(desk[day]))}
        dated = {date.fromisoformat(d): parse_windows(t) for d, t in self.document["dated"].items()}
        return CalendarRules(
            zone=desk["zone"],
            hours=hours,
            dated=dated,
            holiday_country=hol["country"] or None,
            holiday_subdivision=hol["subdivision"] or None,
            holiday_observed=hol["observed"],
            added={date.fromisoformat(d): name for d, name in hol["add"].items()},
            removed=frozenset(date.fromisoformat(d) for d in hol["remove"]),
        )

    @cached_property
    def calendar(self) -> DeskCalendar:
        return DeskCalendar(self.calendar_rules)

    @cached_property
    def sla_rules(self) -> SlaRules:
        sla = self.document["sla"]
        targets = {
            (Channel(name) if name != EMERGENCY else EMERGENCY): Target(
                sla[name]["target_minutes"], ClockKind(sla[name]["clock"])
            )
            for name in CHANNELS
        }
        return SlaRules(targets, sla["warning_fraction"])

    @cached_property
    def sla(self) -> SlaPolicy:
        return SlaPolicy(self.calendar, self.sla_rules)

    @cached_property
    def paging(self) -> PagingRules:
        """The escalation policy (a document from before paging existed: the defaults)."""
        return PagingRules.from_section(self.document.get("paging", {}))

    @cached_property
    def rates(self) -> tuple[Rate, ...]:
        return tuple(
            Rate(date.fromisoformat(r["effective"]), Decimal(r["hourly"]))
            for r in self.document["billing"]["rates"]
        )


# -- what a lead can change -------------------------------------------------------------


def _edited(doc: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(normalise(doc))


def add_closure(doc: Mapping[str, Any], day: date, name: str) -> dict[str, Any]:
    """The desk closed all of desk-local `day`, shown as `name`."""
    new = _edited(doc)
    new["holidays"]["add"][day.isoformat()] = name
    return normalise(new)


def remove_closure(doc: Mapping[str, Any], day: date) -> dict[str, Any]:
    new = _edited(doc)
    if new["holidays"]["add"].pop(day.isoformat(), None) is None:
        raise PolicyError(f"there is no closure on {day}")
    return normalise(new)


def work_holiday(doc: Mapping[str, Any], day: date) -> dict[str, Any]:
    """A public holiday on `day` that the desk works anyway."""
    policy = Policy(normalise(doc))
    if policy.calendar.holiday_name(day) is None:
        raise PolicyError(f"{day} is not a holiday of this desk")
    new = _edited(doc)
    if day.isoformat() in new["holidays"]["add"]:
        raise PolicyError(f"{day} is a closure of this desk: use `policy closure remove`")
    new["holidays"]["remove"].append(day.isoformat())
    return normalise(new)


def set_weekday_hours(doc: Mapping[str, Any], weekday: str, hours: str) -> dict[str, Any]:
    day = weekday.strip().lower()
    if day not in WEEKDAYS:
        raise PolicyError(f"{weekday[:20]!r} is not a weekday ({', '.join(WEEKDAYS)})")
    new = _edited(doc)
    new["desk"][day] = hours
    return normalise(new)


def set_dated_hours(doc: Mapping[str, Any], day: date, hours: str) -> dict[str, Any]:
    """Hours for one date only, beating its weekday's (a holiday still closes it)."""
    new = _edited(doc)
    new["dated"][day.isoformat()] = hours
    return normalise(new)


def set_target(
    doc: Mapping[str, Any], channel: str, minutes: int, clock: str | None
) -> dict[str, Any]:
    if channel not in CHANNELS:
        raise PolicyError(f"{channel[:20]!r} is not a channel ({', '.join(CHANNELS)})")
    new = _edited(doc)
    new["sla"][channel]["target_minutes"] = minutes
    if clock is not None:
        new["sla"][channel]["clock"] = clock
    return normalise(new)


def set_warning(doc: Mapping[str, Any], fraction: float) -> dict[str, Any]:
    new = _edited(doc)
    new["sla"]["warning_fraction"] = fraction
    return normalise(new)


def add_rate(doc: Mapping[str, Any], effective: date, hourly: Decimal) -> dict[str, Any]:
    new = _edited(doc)
    if any(r["effective"] == effective.isoformat() for r in new["billing"]["rates"]):
        raise PolicyError(f"a rate already takes effect on {effective}")
    new["billing"]["rates"].append({"effective": effective.isoformat(), "hourly": str(hourly)})
    return normalise(new)


def set_paging_timeout(doc: Mapping[str, Any], minutes: int) -> dict[str, Any]:
    """How long a page waits for an acknowledgement before the next step."""
    new = _edited(doc)
    new["paging"]["ack_timeout_minutes"] = minutes
    return normalise(new)


def set_paging_steps(doc: Mapping[str, Any], steps: list[str]) -> dict[str, Any]:
    """The escalation steps after the first page, in order."""
    new = _edited(doc)
    new["paging"]["steps"] = steps
    return normalise(new)

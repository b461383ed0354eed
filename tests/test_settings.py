"""Settings: defaults from POLICY.md, file, environment, and one-line refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from console.domain.sla import ClockKind
from console.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(name)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "switchboard.toml"
    path.write_text(text)
    return path


def test_defaults_are_the_policy() -> None:
    s = load_settings()
    assert s.desk.zone == "America/Chicago"
    assert s.calendar_rules.hours[0][0].open.hour == 7 and 5 not in s.calendar_rules.hours
    assert s.sla.email.target_minutes == 240 and s.sla.email.clock is ClockKind.BUSINESS
    assert s.sla.emergency.target_minutes == 60 and s.sla.emergency.clock is ClockKind.WALL
    assert s.sla.warning_fraction == 0.25
    assert s.rates[0].hourly == Decimal("200.00")


def test_file_values_reach_the_domain(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[desk]
zone = "America/New_York"
monday = "07:00-12:00, 13:00-19:00"
friday = "08:00-16:00"
saturday = "09:00-12:00"

[holidays]
add = { 2026-11-27 = "Day after Thanksgiving" }
remove = [2026-10-12]

[sla.portal]
target_minutes = 480

[[billing.rates]]
effective = 2020-01-01
hourly = 200

[[billing.rates]]
effective = 2027-01-01
hourly = 225.50
""",
    )
    s = load_settings(path)
    assert s.calendar.zone.key == "America/New_York"
    assert s.calendar_rules.hours[4][-1].close.hour == 16
    monday = s.calendar_rules.hours[0]
    assert [(h.open.hour, h.close.hour) for h in monday] == [(7, 12), (13, 19)]
    assert s.calendar_rules.hours[5][0].open.hour == 9
    assert s.calendar.holiday_name(date(2026, 11, 27)) == "Day after Thanksgiving"
    assert s.calendar.holiday_name(date(2026, 10, 12)) is None
    assert s.sla_policy.rules.target("portal").minutes == 480
    assert s.sla_policy.rules.target("portal").clock is ClockKind.BUSINESS  # kept
    assert [r.hourly for r in s.rates] == [Decimal(200), Decimal("225.50")]


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[desk]\nzone = "America/Denver"\n')
    monkeypatch.setenv("SWITCHBOARD_DESK__ZONE", "Europe/Berlin")
    monkeypatch.setenv("SWITCHBOARD_SLA__EMERGENCY__TARGET_MINUTES", "30")
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", "sqlite:///desk.sqlite3")
    s = load_settings(path)
    assert s.desk.zone == "Europe/Berlin"
    assert s.sla.emergency.target_minutes == 30
    assert s.sla.emergency.clock is ClockKind.WALL
    assert s.database.url == "sqlite:///desk.sqlite3"


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(write(tmp_path, '[desk]\nzone = "UTC"\n')))
    assert load_settings().desk.zone == "UTC"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[desk]\nzonee = "UTC"\n', "unknown key 'desk.zonee'"),
        ("[desks]\n", "unknown key 'desks'"),
        ('[desk]\nzone = "Mars/Base"\n', "key 'desk.zone': unknown time zone 'Mars/Base'"),
        ('[desk]\nmonday = "07:00-25:00"\n', "key 'desk.monday'"),
        ('[desk]\nmonday = "19:00-07:00"\n', "19:00-07:00: ends before it starts"),
        ('[desk]\nmonday = "07:00-13:00,12:00-19:00"\n', "07:00-13:00 overlaps 12:00-19:00"),
        ('[desk]\nmonday = "07:00-12:00,"\n', "an empty window between commas"),
        ("[sla.email]\ntarget_minutes = -5\n", "key 'sla.email.target_minutes'"),
        ('[sla.email]\nclock = "sundial"\n', "key 'sla.email.clock'"),
        ("[sla]\nwarning_fraction = 1.5\n", "key 'sla.warning_fraction'"),
        ('[holidays]\ncountry = "ZZ"\n', "key 'holidays'"),
        ("[billing]\nrates = []\n", "key 'billing.rates'"),
        ("[desk\n", "not valid TOML"),
        (
            "[desk]\n"
            + "".join(f'{day} = "closed"\n' for day in ("monday", "tuesday", "wednesday"))
            + 'thursday = "closed"\nfriday = "closed"\n',
            "at least one weekday",
        ),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(f"settings file {path}: ")
    assert message in line


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no such file"):
        load_settings(tmp_path / "absent.toml")

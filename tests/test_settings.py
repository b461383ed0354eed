"""Settings: what is personal or per machine, from file and environment, and one-line
refusals, including any desk policy key (it lives in the database since issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_defaults() -> None:
    s = load_settings()
    assert (s.database.url, s.console.bell, s.coverage.gap_horizon_days) == ("", True, 7)
    assert not hasattr(s, "desk") and not hasattr(s, "calendar")


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[console]\nbell = true\nidle_resort_seconds = 5\n")
    monkeypatch.setenv("SWITCHBOARD_CONSOLE__BELL", "false")
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", "sqlite:///desk.sqlite3")
    s = load_settings(path)
    assert (s.console.bell, s.console.idle_resort_seconds) == (False, 5.0)
    assert s.database.url == "sqlite:///desk.sqlite3"


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[keymap]\n"switchboard.quit" = "ctrl+q"\n')
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(path))
    assert load_settings().keymap == {"switchboard.quit": "ctrl+q"}


@pytest.mark.parametrize("section", ["desk", "holidays", "sla", "billing", "dated"])
def test_a_policy_section_is_refused_in_one_line(tmp_path: Path, section: str) -> None:
    path = write(tmp_path, f"[console]\nbell = false\n\n[{section}]\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(f"settings file {path}: '[{section}]' is desk policy")
    assert "switchboard policy import FILE" in line


@pytest.mark.parametrize(
    "name", ["SWITCHBOARD_DESK__ZONE", "SWITCHBOARD_SLA__EMAIL__TARGET_MINUTES"]
)
def test_a_policy_variable_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "120")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    line = str(caught.value)
    assert "\n" not in line and line.startswith(f"${name} is desk policy")
    assert "switchboard policy" in line


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[desks]\n", "unknown key 'desks'"),
        ("[console]\nbel = true\n", "unknown key 'console.bel'"),
        ("[coverage]\ngap_horizon_days = 0\n", "key 'coverage.gap_horizon_days'"),
        ("[console\n", "not valid TOML"),
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

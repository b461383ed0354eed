"""The `switchboard` command starts fast because it loads only what the command run needs.

No timing here (that is `benchmarks/cli_startup.py`): these check what a fresh interpreter
loads, and that the short cuts taken for speed say the same as the long way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from alembic.script import ScriptDirectory

from console.cli import cli, main
from console.cli.common import SETTINGS_KEYS, Context
from console.cli.lazy import COMMANDS
from console.settings import DatabaseSettings, Settings, load_settings
from console.store import schema
from console.store.db import open_database

HEAVY = {"sqlalchemy", "alembic", "textual", "pydantic", "pydantic_settings", "holidays"}


def loaded(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return {name.split(".")[0] for name in json.loads(result.stderr.splitlines()[-1])}


def test_importing_the_cli_loads_no_database_no_screen_no_settings() -> None:
    assert not loaded("import console.cli") & HEAVY


@pytest.mark.parametrize("argv", [["--version"], ["--help"]])
def test_version_and_help_load_no_database(argv: list[str]) -> None:
    code = f"from console.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    assert not loaded(code) & HEAVY


def test_a_read_loads_neither_alembic_nor_the_screen_nor_pydantic(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "desk.sqlite3"
    shutil.copy(sqlite_template, path)
    code = (
        f"from console.cli import main\nmain(['ticket', 'list', '--database', 'sqlite:///{path}'])"
    )
    env = {"SWITCHBOARD_USER": "ari", "SWITCHBOARD_CONFIG": ""}
    held = loaded(code, env)
    assert "sqlalchemy" in held
    assert not held & {"alembic", "textual", "pydantic", "holidays"}


def test_the_help_listing_says_what_each_command_says() -> None:
    for name, (_module, _attribute, help_text) in COMMANDS.items():
        command = cli.get_command(click.Context(cli), name)
        assert command is not None, name
        assert command.name == name
        assert command.get_short_help_str(200) == help_text, name


def test_every_command_is_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listing = capsys.readouterr().out.split("Commands:")[1]
    assert [line.split()[0] for line in listing.strip().splitlines()] == sorted(COMMANDS)


def test_an_unknown_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tikcet", "list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tikcet" in err


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    """`schema.head()` lets a command skip Alembic: it must agree with Alembic."""
    head = ScriptDirectory.from_config(schema.alembic_config()).get_current_head()
    assert schema.head() == head


def test_migration_files_it_cannot_read_send_it_the_long_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text('revision: str = "a"\ndown_revision = None\n')
    (versions / "b.py").write_text('revision = "b"\ndown_revision: str | None = "a"\n')
    monkeypatch.setattr(schema, "MIGRATIONS", tmp_path)
    schema.head.cache_clear()
    try:
        assert schema.head() == "b"
        (versions / "c.py").write_text('revision = "c"\ndown_revision = "a"\n')  # two heads
        schema.head.cache_clear()
        assert schema.head() is None
        (versions / "c.py").write_text("nothing to see\n")
        schema.head.cache_clear()
        assert schema.head() is None
    finally:
        schema.head.cache_clear()


def test_at_head_tells_a_current_database_from_an_old_or_empty_one(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "desk.sqlite3"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}")
    try:
        assert schema.at_head(database.engine)
        schema.downgrade(database.engine, "-1")
        assert not schema.at_head(database.engine)
    finally:
        database.dispose()
    empty = open_database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        assert not schema.at_head(empty.engine)
    finally:
        empty.dispose()


def test_the_settings_keys_are_the_settings_fields() -> None:
    assert {name.upper() for name in Settings.model_fields} == SETTINGS_KEYS


def test_database_settings_without_pydantic_match_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(os.environ):
        if name.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(name)
    assert Context().database_settings.busy_timeout == DatabaseSettings().busy_timeout
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", "sqlite:///x.db")
    fast = Context().database_settings
    assert (fast.url, fast.busy_timeout) == (
        load_settings().database.url,
        load_settings().database.busy_timeout,
    )


def test_an_override_or_a_file_takes_the_long_way(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SWITCHBOARD_DATABASE__BUSY_TIMEOUT", "3")
    assert Context().database_settings.busy_timeout == 3.0
    monkeypatch.delenv("SWITCHBOARD_DATABASE__BUSY_TIMEOUT")
    monkeypatch.setenv("SWITCHBOARD_DESK__ZONE", "Europe/Paris")  # policy: refused, not ignored
    with pytest.raises(click.ClickException, match="desk policy"):
        Context().database_settings  # noqa: B018
    monkeypatch.delenv("SWITCHBOARD_DESK__ZONE")
    settings = tmp_path / "settings.toml"
    settings.write_text("[database]\nbusy_timeout = 2\n")
    assert Context(config_path=str(settings)).database_settings.busy_timeout == 2.0

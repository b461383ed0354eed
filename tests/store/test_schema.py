"""Migrations are the only way the schema changes, and the code refuses a database at
another revision."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from console.store import schema
from console.store.db import Database, open_database, parse_url, safe_url
from console.store.errors import SchemaMismatch
from console.store.models import Base


def tables(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names()) - {"alembic_version"}


def test_down_to_base_and_up_again(database: Database) -> None:
    head = schema.head_revision()
    assert schema.current_revision(database.engine) == head
    assert tables(database) == set(Base.metadata.tables)
    schema.downgrade(database.engine, "base")
    assert schema.current_revision(database.engine) is None
    assert tables(database) == set()
    schema.upgrade(database.engine)
    assert schema.current_revision(database.engine) == head
    assert tables(database) == set(Base.metadata.tables)


def test_models_and_head_revision_do_not_drift(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_an_empty_database_is_refused_with_one_line(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(SchemaMismatch) as caught:
        schema.prepare(database)  # not the embedded file: never migrated behind anyone's back
    assert str(caught.value) == (
        f"database is at revision (empty), this version needs {schema.head_revision()}: "
        "run `switchboard db upgrade`"
    )


def test_a_database_behind_is_refused(database: Database) -> None:
    schema.downgrade(database.engine, "base")
    with pytest.raises(SchemaMismatch, match="run `switchboard db upgrade`"):
        schema.check(database)


def test_a_database_ahead_is_refused(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    with pytest.raises(SchemaMismatch, match="revision ffff9999, newer than this version"):
        schema.check(database)


def test_the_embedded_file_is_created_and_migrated_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / "data" / app))
    database = open_database(None)
    assert database.embedded
    schema.prepare(database)
    assert (tmp_path / "data" / "switchboard" / "switchboard.sqlite3").is_file()
    assert schema.current_revision(database.engine) == schema.head_revision()
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    database.dispose()


def test_events_are_append_only(desk: Database) -> None:
    with desk.engine.connect() as connection:
        with pytest.raises(Exception, match="append-only"):
            connection.execute(text("UPDATE events SET actor = 'mallory'"))
        connection.rollback()
        with pytest.raises(Exception, match="append-only"):
            connection.execute(text("DELETE FROM events"))


def test_a_password_is_never_shown() -> None:
    url = parse_url("postgresql://desk:s3cret@db.example.org/switchboard")
    assert url.drivername == "postgresql+psycopg"
    assert "s3cret" not in safe_url(url)
    assert "s3cret" not in safe_url("postgresql://desk:s3cret@db example/x?")

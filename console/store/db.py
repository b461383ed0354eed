"""Opening the database: the shared Postgres desk database or the embedded SQLite file.

A password in a URL is never printed: every message uses `safe_url`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from console.store.errors import StoreError

APP_NAME = "switchboard"
EMBEDDED_FILE = "switchboard.sqlite3"
#: The execution option of a connection that only reads (see `Database.reading`).
READ_ONLY = "switchboard_read_only"
#: How long an SQLite writer waits for another one before giving up.
SQLITE_BUSY_MS = 10_000


class DatabaseUnavailable(StoreError):
    """The database cannot be reached or opened; the message names it without a password."""


def default_database_path() -> Path:
    """The embedded SQLite file in the user's data directory."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / EMBEDDED_FILE


def parse_url(text: str | None) -> URL:
    """`text` as a SQLAlchemy URL; empty means the embedded file. Bare postgres -> psycopg 3."""
    if not text:
        return make_url(f"sqlite:///{default_database_path()}")
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseUnavailable(f"cannot read {_scrub(text)!r} as a database URL") from None
    if "@" in (url.host or ""):
        # An unencoded @ in a password: the rest of the password would pass for the host.
        raise DatabaseUnavailable(
            f"cannot read {_scrub(text)!r} as a database URL: write an @ in a password as %40"
        )
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("postgresql", "sqlite"):
        raise DatabaseUnavailable(
            f"unsupported database {safe_url(url)!r}: use postgresql+psycopg://... or sqlite:///..."
        )
    return url


#: Query parameters that libpq reads as secrets (`...?password=...`).
_SECRET_PARAMETER = re.compile(r"([?&](?:ssl)?password=)[^&\s']*", re.IGNORECASE)


def _hide_parameters(text: str) -> str:
    return _SECRET_PARAMETER.sub(r"\1***", text)


def safe_url(url: URL | str) -> str:
    """The URL as text with any password, in the user part or the query, replaced by ***."""
    if isinstance(url, str):
        text = url
        try:
            url = make_url(text)
        except (ArgumentError, ValueError):
            return _scrub(text)
    return _hide_parameters(url.render_as_string(hide_password=True))


def _scrub(text: str) -> str:
    # An unparseable URL may still hold user:password@; hide whatever sits between. The
    # last @ ends the user part: a password may hold an (unencoded) @ of its own.
    text = _hide_parameters(text)
    head, sep, tail = text.rpartition("@")
    if not sep or "://" not in head:
        return text
    scheme, _, userinfo = head.partition("://")
    return f"{scheme}://{userinfo.split(':')[0]}:***@{tail}"


@dataclass
class Database:
    """An engine and its sessions; `url` is safe to print."""

    engine: Engine
    url: str
    embedded: bool = False

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def user(self) -> str | None:
        """The database user name of a server database (an identity of last resort)."""
        return self.engine.url.username

    def sessions(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions()() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads. On SQLite its transaction is deferred: it reads a
        snapshot beside a writer instead of queueing for the write lock (WAL allows it);
        on Postgres it is an ordinary session."""
        with self.engine.connect() as connection:
            reader = connection.execution_options(**{READ_ONLY: True})
            with Session(bind=reader) as session:
                yield session
            reader.rollback()

    def dispose(self) -> None:
        self.engine.dispose()


def create_database_engine(url: URL, **options: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout, foreign keys and IMMEDIATE writes.

    `busy_timeout` (seconds, SQLite only): how long a writer waits for another one.
    """
    busy_timeout = options.pop("busy_timeout", None)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, **options)
        _tune_sqlite(engine, SQLITE_BUSY_MS if busy_timeout is None else int(busy_timeout * 1000))
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(url, **options)


def _tune_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is off: we send BEGIN ourselves below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # deferred: a snapshot, no write lock
            return
        # Take the write lock up front: a deferred transaction that later writes can fail
        # at once with "database is locked" instead of waiting its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def open_database(text: str | None, **options: Any) -> Database:
    """Connect to `text` (a URL) or, without one, the embedded file (its folder is created).

    Nothing is migrated here; see `console.store.schema.prepare`.
    """
    url = parse_url(text)
    embedded = not text
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(url.database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailable(
                f"cannot create {folder} for {safe_url(url)}: {exc.strerror}"
            ) from None
    try:
        engine = create_database_engine(url, **options)
    except ImportError:  # a driver that is not installed, e.g. postgresql+pg8000
        raise DatabaseUnavailable(
            f"unsupported database {safe_url(url)!r}: its driver {url.get_driver_name()!r} is"
            " not installed (use postgresql+psycopg://... or sqlite:///...)"
        ) from None
    except ArgumentError as exc:  # an unknown driver name or a malformed SQLite URL
        detail = " ".join(str(exc).split())
        if url.password:
            detail = detail.replace(str(url.password), "***")
        raise DatabaseUnavailable(
            f"cannot open {safe_url(url)!r}: {_hide_parameters(detail)}"
        ) from None
    return Database(engine, safe_url(url), embedded)

"""Schema revisions (Alembic), configured from code: no alembic.ini needed anywhere.

The revisions live in the repository's top-level `migrations/` folder, found next to
the `console` package (the project is installed editable).

Every command checks the schema before it works, so the check must be cheap: `head()`
reads the newest revision id from the migration files themselves (a few small files, no
Alembic: a tenth of a second of every command), and a database already there is recognised
with one SELECT. Anything else (no version table, a file it cannot read, several heads)
goes the long way, through Alembic. A test holds `head()` equal to Alembic's head.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

import console
from console.store.db import Database
from console.store.errors import SchemaMismatch

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(console.__file__).resolve().parent.parent / "migrations"

#: `revision: str = "0005"` and `down_revision: str | None = "0004"` in a migration file.
_REVISION = re.compile(r'^revision\s*(?::[^=]*)?=\s*["\']([^"\']+)["\']', re.MULTILINE)
_DOWN = re.compile(r'^down_revision\s*(?::[^=]*)?=\s*(?:["\']([^"\']+)["\']|None)', re.MULTILINE)


@functools.cache
def head() -> str | None:
    """The newest revision, read from `migrations/versions/*.py` without Alembic; None when
    the files do not name exactly one (then `at_head` says no and Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        for path in (MIGRATIONS / "versions").glob("*.py"):
            source = path.read_text(encoding="utf-8")
            revision, down = _REVISION.search(source), _DOWN.search(source)
            if revision is None or down is None:
                return None
            revisions.add(revision.group(1))
            if down.group(1):
                parents.add(down.group(1))
    except OSError:
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at `migrations/`, bound to `engine` when given."""
    from alembic.config import Config

    if not (MIGRATIONS / "env.py").is_file():
        raise SchemaMismatch(f"cannot find the migrations folder at {MIGRATIONS}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The revision this version of the code needs."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The database's revision, or None for an empty (never migrated) database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def at_head(engine: Engine) -> bool:
    """Whether the database is at `head()`, read with one SELECT (no Alembic). False when
    it cannot tell (no version table yet, several rows): the caller then asks Alembic."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False
    newest = head()
    return newest is not None and [row[0] for row in rows] == [newest]


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    _refuse_newer(current_revision(engine))
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    _refuse_newer(current_revision(engine))
    command.downgrade(alembic_config(engine), revision)


def is_newer(revision: str | None) -> bool:
    """A revision this code does not know: written by a newer switchboard."""
    return revision is not None and not known_revision(revision)


def _refuse_newer(current: str | None) -> None:
    # Alembic cannot move from a revision it does not know ("Can't locate revision").
    if is_newer(current):
        raise SchemaMismatch(
            f"database is at revision {current}, newer than this version of switchboard "
            f"(needs {head_revision()}): upgrade switchboard"
        )


def known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for unknown or malformed ids
        return False


def check(database: Database) -> None:
    """Refuse a database whose revision is not head, with one line saying what to do."""
    if at_head(database.engine):
        return
    current = current_revision(database.engine)
    needed = head_revision()
    if current == needed:
        return
    _refuse_newer(current)
    raise SchemaMismatch(
        f"database is at revision {current or '(empty)'}, this version needs {needed}: "
        "run `switchboard db upgrade`"
    )


def prepare(database: Database) -> None:
    """Make `database` ready for commands: migrate the embedded file on first use, else check.

    A shared database is never migrated behind anyone's back.
    """
    if at_head(database.engine):
        return
    if database.embedded and current_revision(database.engine) is None:
        upgrade(database.engine)
    check(database)

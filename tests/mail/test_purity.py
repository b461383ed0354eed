"""The mail parsing loads no screen, no database and no store when imported (what a fresh
interpreter really loads, beside import-linter's check of the import statements)."""

from __future__ import annotations

from tests.test_import_hygiene import loaded_after_import, top_level


def test_mail_parsing_loads_neither_screen_nor_database() -> None:
    loaded = loaded_after_import("console.mail.parsing")
    assert not top_level(loaded) & {"textual", "sqlalchemy", "psycopg", "rich"}
    assert not {m for m in loaded if m.startswith(("console.store", "console.ui", "console.cli"))}
    assert "console.mail.parsing.message" in loaded

"""How the database's own `sql.*` events read in `ticket show` and the console's history."""

from __future__ import annotations

from datetime import datetime

from console.sql_events import sql_change


def hour(at: datetime) -> str:
    return at.strftime("%H:%M")


def test_only_sql_events_get_a_line_of_their_own() -> None:
    assert sql_change("request.assigned", "ari", {"a": 1}, {"a": 2}, hour) is None


def test_an_insert_and_a_delete_list_the_row_and_values_stay_inert() -> None:
    row = {"id": 7, "note": "\x1b[31mred", "started_at": "2026-12-02T16:00:00+00:00"}
    added = sql_change("sql.insert", "ari", None, row, hour)
    assert added == "added with SQL by ari: id 7, note \\x1b[31mred, started_at 16:00"
    deleted = sql_change("sql.delete", "lena", row, None, hour)
    assert deleted is not None and deleted.startswith("deleted with SQL by lena: id 7")


def test_an_update_shows_before_and_after_and_null_as_a_dash() -> None:
    line = sql_change(
        "sql.update",
        "ari",
        {"first_response_at": None, "status": "open"},
        {"first_response_at": "2026-12-02T17:00:00+00:00", "status": "resolved"},
        hour,
    )
    assert line == "changed with SQL by ari: first_response_at - → 17:00, status open → resolved"

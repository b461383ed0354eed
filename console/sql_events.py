"""How an event the database recorded itself reads, in `ticket show` and the console.

Why: a change made with a plain SQL client carries no meaning of its own (no
`request.assigned`), only which columns changed; it must read as what it is, e.g.
`changed with SQL by amy: due_at Wed 14:00 → Sat 14:00`. Instants (ISO text in the event)
go through the caller's `when`; any other value is shown inert. Returns None for every
other event, so callers keep their own line for those.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from console.text import inert

VERBS = {"sql.insert": "added", "sql.update": "changed", "sql.delete": "deleted"}


def sql_change(
    kind: str,
    actor: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    when: Callable[[datetime], str],
) -> str | None:
    """`changed with SQL by amy: due_at 14:00 → Sat 14:00`, or None if not an sql.* event."""
    verb = VERBS.get(kind)
    if verb is None:
        return None
    old, new = before or {}, after or {}
    keys = sorted(new if kind != "sql.delete" else old)
    if kind == "sql.update":
        parts = [f"{k} {_value(old.get(k), when)} → {_value(new.get(k), when)}" for k in keys]
    else:
        parts = [f"{k} {_value((new or old).get(k), when)}" for k in keys if k != "version"]
    return inert(f"{verb} with SQL by {actor}: " + ", ".join(parts))


def _value(value: Any, when: Callable[[datetime], str]) -> str:
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return when(datetime.fromisoformat(value))
        except ValueError:
            pass
    return "-" if value is None else str(value)

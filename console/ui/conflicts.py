"""A conflict told in the desk's words, and what `r` opens again.

Why: every action writes with the versions the person saw. When someone else changed a
row first, nothing is written; a retry of the same choice on the new version would put
the loser's old choice over the winner's without anyone having seen it. So the person is
shown what the row is now (who holds it, where it is, its reason and technical position),
by request number, customer, name and desk time, and `r` opens the action's own dialog
again on the new version; only a new choice there writes.

What: `Again` is what an action leaves for that (the rows it aimed at with the versions
seen, and how to open its dialog on fresh rows); `look_again` reads those rows as they
are now (on the write's thread, through the store's board reads); `conflict_text` words
it all for `ConflictScreen`.

How it fails: if the fresh read fails too, the dialog still says who changed what and
when, says the row's state is unknown, and offers no `r` (`ctrl+r` re-reads the board).
A row that closed meanwhile, or that the action no longer fits (an emergency verified
by the winner), is named and left out of `r`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from console.domain.escalation import Destination
from console.store.board import Board
from console.store.board_rows import EscalationRow, QueueRow
from console.store.errors import ConflictError
from console.ui.format import inert, short_day_time, zone_label

Row = QueueRow | EscalationRow

DESTINATIONS = {
    Destination.CUSTOMER_CARE.value: "Customer Care",
    Destination.TECHNICAL.value: "Technical",
    Destination.PERSON.value: "Named person",
}
BILLING = {"needs-notice": "needs a billing notice", "notified": "billing notice given"}


def _always(_row: Any) -> bool:
    return True


@dataclass(frozen=True)
class Again:
    """What an action leaves behind for a conflict: its rows and how to ask again."""

    #: "request" or "escalation": the kind of row `seen` names.
    entity: str
    #: Row id to the version the person saw when pressing the key.
    seen: dict[int, int]
    #: Opens the action's own dialog on these rows as they are now (None: nothing to open).
    reopen: Callable[[list[Any]], object] | None
    #: Whether the action still fits a row as it is now (e.g. still unverified).
    applies: Callable[[Any], bool] = _always


@dataclass(frozen=True)
class Conflict:
    """The store's `ConflictError` and the action's rows as they are now."""

    error: ConflictError
    #: The action's rows still open, as read after the conflict; None when that read failed.
    rows: dict[int, Row] | None
    #: The action's rows someone else changed or closed, the error's own first.
    changed: list[int] = field(default_factory=list)
    #: The action's rows that did not change (a bulk action: nothing was written to them).
    unchanged: list[int] = field(default_factory=list)

    def retry_rows(self, again: Again | None) -> list[Row]:
        """The changed rows `r` opens the dialog on: still open, and the action fits."""
        if again is None or again.reopen is None or self.rows is None:
            return []
        fresh = (self.rows.get(i) for i in self.changed)
        return [row for row in fresh if row is not None and again.applies(row)]


def look_again(
    board: Board, error: ConflictError, again: Again | None, now: datetime, today: date
) -> Conflict:
    """Read the conflicting row and the action's rows now (blocking: the write's thread)."""
    entity = again.entity if again else error.entity
    seen = dict(again.seen) if again else {error.entity_id: error.version or 0}
    try:
        changes = board.changes({(entity, i) for i in seen}, now, today)
    except Exception:  # whatever the read's failure, the conflict itself must still be told
        return Conflict(error, None, [error.entity_id] if error.entity == entity else [])
    found = changes.requests if entity == "request" else changes.escalations
    rows: dict[int, Row] = {i: found[i] for i in seen if i in found}
    moved = [i for i in seen if i not in rows or rows[i].version != seen[i]]
    first = [error.entity_id] if error.entity == entity and error.entity_id in seen else []
    changed = first + [i for i in moved if i not in first]
    return Conflict(error, rows, changed, [i for i in seen if i not in changed])


# -- the words ------------------------------------------------------------------------------


def conflict_text(
    conflict: Conflict,
    again: Again | None,
    names: dict[str, str],
    zone: ZoneInfo,
    now: datetime,
) -> str:
    """What happened and what each changed row is now, one line each, in desk words."""
    error = conflict.error
    who = names.get(error.changed_by or "", error.changed_by or "someone")
    when = (
        f" at {short_day_time(error.changed_at, zone, now)} {zone_label(zone)}"
        if error.changed_at
        else ""
    )
    lines = []
    for index, row_id in enumerate(conflict.changed or [error.entity_id]):
        row = conflict.rows.get(row_id) if conflict.rows is not None else None
        subject = _subject(error, row, row_id)
        if index == 0:
            head = f"{subject} was changed by {inert(who)}{when}"
        else:
            head = f"{subject} was changed too"
        if conflict.rows is None:
            lines.append(f"{head}; what it is now could not be read")
        elif row is None:
            lines.append(f"{head}: it is no longer open")
        else:
            fits = again is None or again.applies(row)
            lines.append(f"{head}: now {state(row, names)}" + ("" if fits else " (nothing to do)"))
    if conflict.unchanged:
        lines.append(
            f"Nothing was written to the other {len(conflict.unchanged)} selected "
            f"({_ids(conflict, conflict.unchanged)}) either: mark them again to act on them."
        )
    return "\n".join(lines)


def _subject(error: ConflictError, row: Row | None, row_id: int) -> str:
    if isinstance(row, EscalationRow):
        return f"Request #{row.request_id} ({inert(row.customer)})"
    if isinstance(row, QueueRow):
        return f"Request #{row.id} ({inert(row.customer)})"
    if row_id == error.entity_id and error.request_id is not None:
        customer = f" ({inert(error.customer)})" if error.customer else ""
        return f"Request #{error.request_id}{customer}"
    return f"{error.entity.capitalize()} {row_id}"


def _ids(conflict: Conflict, ids: list[int]) -> str:
    rows = conflict.rows or {}
    return ", ".join(_number(rows.get(i), i) for i in ids)


def _number(row: Row | None, row_id: int) -> str:
    """`#249`: the request number people know a row by."""
    return f"#{row.request_id}" if isinstance(row, EscalationRow) else f"#{row_id}"


def state(row: Row, names: dict[str, str]) -> str:
    """A row as it is now: who holds it and where it stands, e.g. `assigned to Grace Patel,
    Technical, position 2, reason 'db timeout'`."""
    holder = (
        f"assigned to {inert(names.get(row.assignee, row.assignee))}"
        if row.assignee
        else "unassigned"
    )
    parts = [holder]
    if isinstance(row, EscalationRow):
        parts.append(DESTINATIONS.get(row.destination, inert(row.destination)))
        if row.technical_priority is not None:
            parts.append(f"position {row.technical_priority}")
        if row.reason:
            parts.append(f"reason '{inert(row.reason)[:80]}'")
        return ", ".join(parts)
    if row.emergency:
        parts.append("unverified emergency" if row.emergency_unverified else "emergency")
    if row.escalated:
        parts.append("escalated")
    if row.billing_state in BILLING:
        parts.append(BILLING[row.billing_state])
    if row.first_response_at is not None:
        parts.append("responded")
    return ", ".join(parts)


def retry_hint(rows: list[Row]) -> str:
    """The `r` line: which requests the dialog opens again for."""
    ids = ", ".join(_number(r, r.id) for r in rows)
    return f"r: choose again for {ids} on the new version"

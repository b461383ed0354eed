"""A request's history in the desk's words (issue 18): "assigned to Grace Patel by Rosa
Hernandez, 3 h ago" rather than `assignee_id: None → 4`. Pure: the events, the names and
`now` (the console's clock) in, one line per event out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from console.sql_events import sql_change
from console.store.board_rows import HistoryEntry
from console.ui.conflicts import DESTINATIONS
from console.ui.format import inert, relative, short_day_time

#: What an event of a kind says, given who did it (`by`) and its after/before values.
Words = Callable[[str, dict[str, Any], dict[str, Any], "Names"], str]


class Names:
    """Staff by handle and by id, as the history shows them (a name, else the handle)."""

    def __init__(self, by_handle: Mapping[str, str], by_id: Mapping[int, str]) -> None:
        self.by_handle = by_handle
        self.by_id = by_id

    def handle(self, handle: str | None) -> str:
        if not handle:
            return "someone"
        return inert(self.by_handle.get(handle, handle))

    def staff_id(self, staff_id: object) -> str:
        if not isinstance(staff_id, int):
            return "nobody"
        return inert(self.by_id.get(staff_id, f"staff {staff_id}"))


def _clip(text: object, width: int = 80) -> str:
    words = inert(str(text or "")).replace("\n", " ")
    return words if len(words) <= width else words[: width - 1] + "…"


#: A channel as the history names a request that came by it.
CHANNELS = {"call": "a call", "voicemail": "a voicemail", "email": "an e-mail",
            "portal": "a portal request"}  # fmt: skip


def _logged(by: str, after: dict[str, Any], _b: dict[str, Any], _n: Names) -> str:
    channel = CHANNELS.get(str(after.get("channel")), "a request")
    what = f"an emergency ({channel})" if after.get("emergency") else channel
    return f"logged as {what} by {by}"


def _assigned(by: str, after: dict[str, Any], _b: dict[str, Any], names: Names) -> str:
    return f"assigned to {names.staff_id(after.get('assignee_id'))} by {by}"


def _work(by: str, after: dict[str, Any], _b: dict[str, Any], _n: Names) -> str:
    try:
        start = datetime.fromisoformat(str(after["started_at"]))
        end = datetime.fromisoformat(str(after["ended_at"]))
        minutes = f" ({int((end - start).total_seconds() // 60)} min)"
    except (KeyError, ValueError):
        minutes = ""
    note = f": {_clip(after.get('note'))}" if after.get("note") else ""
    return f"{by} logged work{minutes}{note}"


def _escalated(by: str, after: dict[str, Any], _b: dict[str, Any], names: Names) -> str:
    where = DESTINATIONS.get(str(after.get("destination")), _clip(after.get("destination")))
    who = f" ({names.staff_id(after['assignee_id'])})" if after.get("assignee_id") else ""
    reason = f": {_clip(after.get('reason'))}" if after.get("reason") else ""
    return f"escalated to {where}{who} by {by}{reason}"


def _reassigned(by: str, after: dict[str, Any], before: dict[str, Any], names: Names) -> str:
    where = DESTINATIONS.get(str(after.get("destination")), _clip(after.get("destination")))
    moved = after.get("destination") != before.get("destination")
    to = f"moved to {where}" if moved else "escalation reassigned"
    return f"{to}, to {names.staff_id(after.get('assignee_id'))}, by {by}"


def _verified(by: str, after: dict[str, Any], _b: dict[str, Any], _n: Names) -> str:
    with_whom = (after.get("verified_with") or {}).get("name")
    return (
        f"emergency verified with {_clip(with_whom)} by {by}"
        if with_whom
        else (f"emergency verified by {by}")
    )


def _message(by: str, after: dict[str, Any], _b: dict[str, Any], _n: Names) -> str:
    if after.get("author") == "desk":
        return f"reply to the customer by {by}: {_clip(after.get('body'), 60)}"
    return f"message from the contact (portal): {_clip(after.get('body'), 60)}"


def _paged(after: dict[str, Any], names: Names) -> str:
    handles = (after.get("targets") or {}).get("handles") or []
    return "paged " + ", ".join(names.handle(h) for h in handles) if handles else "paged"


def _plain(text: str) -> Words:
    return lambda by, _a, _b, _n: text.format(by=by)


WORDS: dict[str, Words] = {
    "request.logged": _logged,
    "request.assigned": _assigned,
    "request.unassigned": _plain("unassigned by {by}"),
    "request.responded": _plain("first response recorded by {by}"),
    "request.resolved": _plain("resolved by {by}"),
    "request.reopened": _plain("reopened by {by}"),
    "request.noted": lambda by, a, _b, _n: f"note by {by}: {_clip(a.get('note'), 100)}",
    "request.needs-billing-notice": _plain("needs a billing notice (after-hours work)"),
    "request.billing-notified": _plain("billing notice given, recorded by {by}"),
    "request.billing-declined": _plain("the customer declined billing, recorded by {by}"),
    "request.emergency-verified": _verified,
    "request.emergency-downgraded": _plain("downgraded to a normal request by {by}"),
    "request.attached": _plain("attached to its customer by {by}"),
    "request.retimed": _plain("due time recomputed for a policy change"),
    "request.message": _message,
    "work.logged": _work,
    "escalation.opened": _escalated,
    "escalation.reassigned": _reassigned,
    "escalation.closed": _plain("escalation closed"),
    "escalation.prioritised": lambda by, a, _b, _n: (
        f"technical position {a.get('technical_priority')} set by {by}"
    ),
    "escalation.reordered": lambda _by, a, _b, _n: (
        f"moved to technical position {a.get('technical_priority')}"
    ),
    "billing-notice.recorded": _plain("billing notice recorded by {by}"),
    "mail.received": lambda _by, a, _b, _n: f"mail received from {_clip(a.get('sender'))}",
    "page.opened": lambda _by, a, _b, names: _paged(a, names),
    "page.acked": _plain("page acknowledged by {by}"),
    "page.escalated": lambda _by, a, _b, _n: f"page escalated to step {a.get('step')}",
    "page.reassigned": _plain("paged the new assignee"),
    "page.closed-stale": _plain("page closed"),
}


def event_words(event: HistoryEntry, names: Names, zone: ZoneInfo) -> str:
    """What happened, in one line, without the time."""
    by = names.handle(event.actor)
    by_sql = sql_change(
        event.kind,
        event.actor,
        event.before,
        event.after,
        lambda at: f"{at.astimezone(zone):%H:%M}",
    )
    if by_sql:
        return inert(by_sql)
    words = WORDS.get(event.kind)
    if words is None:
        return f"{inert(event.kind)} by {by}"
    return words(by, event.after or {}, event.before or {}, names)


def history_lines(
    events: tuple[HistoryEntry, ...], names: Names, zone: ZoneInfo, now: datetime
) -> list[tuple[str, str]]:
    """(desk time, "what happened, 3 h ago") per event, oldest first (at one instant the
    request's logging first: an emergency's page is recorded before it)."""
    ordered = sorted(events, key=lambda e: (e.at, e.kind != "request.logged", e.id))
    return [
        (
            short_day_time(e.at, zone, now),
            f"{event_words(e, names, zone)}, {relative(e.at, now)}",
        )
        for e in ordered
    ]

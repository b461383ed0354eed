"""Who a request or an escalation can go to: the pickers' lines, with each person's load
(requests and escalations they hold), presence and duty, on duty and free first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text

from console.domain.coverage import Presence, ShiftKind
from console.store.board_rows import EscalationRow, QueueRow, Roster


@dataclass(frozen=True)
class Candidate:
    """A person a request or escalation can go to."""

    handle: str
    presence: str
    #: Open requests assigned to them.
    open_load: int
    on_duty: bool
    #: Set after a conflict: this person holds the row now (`• now holds it`).
    holds: str = ""
    #: Open escalations assigned to them.
    escalations: int = 0
    #: Their name, as the desk knows them ("" when unknown).
    name: str = ""

    @property
    def key(self) -> str:
        return self.handle

    @property
    def load(self) -> int:
        """Everything they hold: requests and escalations."""
        return self.open_load + self.escalations

    def label(self) -> Text:
        """The picker's line (rich text, not a widget)."""
        text = Text(f"{self.handle:<10}", style="bold")
        name = self.name if len(self.name) <= 16 else self.name[:15] + "…"
        text.append(f"{name:<17}")
        text.append(f"{self.presence:<11}", style="green" if self.presence == "available" else "")
        text.append(f"{self.open_load} req · {self.escalations} esc")
        if not self.on_duty:
            text.append("  off duty", style="dim")
        if self.holds:
            text.append(f"  • {self.holds}", style="bold yellow")
        return text


def candidates(
    departments: Mapping[str, str],
    department: str | None,
    requests: Iterable[QueueRow],
    escalations: Iterable[EscalationRow],
    roster: Roster,
    names: Mapping[str, str],
    now: datetime,
    held: Sequence[QueueRow | EscalationRow] = (),
) -> list[Candidate]:
    """People of `department` (everyone for None), on duty and free first, then by what
    they hold; after a conflict `held` marks who holds those rows now."""
    on_duty = {s.staff for s in roster.shifts if s.kind is ShiftKind.DUTY and s.covers(now)}
    load = Counter(r.assignee for r in requests if r.assignee)
    escalated = Counter(r.assignee for r in escalations if r.assignee)
    found = [
        Candidate(
            h,
            roster.presence.get(h, Presence.AWAY).value,
            load[h],
            h in on_duty,
            _holds(h, held),
            escalated[h],
            names.get(h, ""),
        )
        for h, d in departments.items()
        if department is None or d == department
    ]
    return sorted(found, key=lambda c: (not c.on_duty, c.presence != "available", c.load, c.handle))


def _holds(handle: str, held: Sequence[QueueRow | EscalationRow]) -> str:
    """`now holds it` (one row), `now holds #249, #250` (several), or "" for nobody."""
    mine = [r for r in held if r.assignee == handle]
    if not mine:
        return ""
    if len(held) == 1:
        return "now holds it"
    return "now holds " + ", ".join(
        f"#{r.request_id if isinstance(r, EscalationRow) else r.id}" for r in mine
    )

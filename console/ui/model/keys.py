"""Which action keys apply: the signed-in person's role, the pane in focus and the row
under the cursor decide. Plain functions, so the footer, the refusals and the tests ask
the same question."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from console.domain.escalation import Destination
from console.domain.permissions import Action, refusal
from console.store.board_rows import QueueRow

Key = TypeVar("Key")


class Pane(StrEnum):
    """The four panes a dispatcher moves between (keys 1-4)."""

    QUEUE = "queue"
    CUSTOMER_CARE = Destination.CUSTOMER_CARE.value
    TECHNICAL = Destination.TECHNICAL.value
    PERSON = Destination.PERSON.value

    @property
    def destination(self) -> Destination | None:
        return None if self is Pane.QUEUE else Destination(self.value)


#: Action name to the permission it needs and the panes it works in.
NEEDS: dict[str, tuple[Action, frozenset[Pane]]] = {
    "assign": (Action.ASSIGN, frozenset({Pane.QUEUE})),
    "escalate": (Action.ESCALATE, frozenset({Pane.QUEUE})),
    "reassign": (Action.REASSIGN, frozenset(Pane) - {Pane.QUEUE}),
    "move": (Action.MOVE, frozenset(Pane) - {Pane.QUEUE}),
    "priority": (Action.PRIORITISE, frozenset({Pane.TECHNICAL})),
    "position": (Action.PRIORITISE, frozenset({Pane.TECHNICAL})),
    "verify": (Action.VERIFY, frozenset({Pane.QUEUE})),
    "downgrade": (Action.DOWNGRADE, frozenset({Pane.QUEUE})),
    "notice": (Action.NOTICE, frozenset({Pane.QUEUE})),
    "decline": (Action.DECLINE, frozenset({Pane.QUEUE})),
    "ack_page": (Action.ACK_PAGE, frozenset({Pane.QUEUE})),
    "attach": (Action.ATTACH, frozenset({Pane.QUEUE})),
    # Any pane: a shift handoff is about no row (issue 16).
    "ack_handoff": (Action.ACK_PAGE, frozenset(Pane)),
}
PANE_HINT = {
    frozenset({Pane.QUEUE}): "works on the queue: press 1 first",
    frozenset(Pane) - {Pane.QUEUE}: "works on an escalation pane: press 2, 3 or 4 first",
    frozenset({Pane.TECHNICAL}): "works on the Technical pane: press 3 first",
}
#: What each after-hours key needs of the request under the cursor, and what to say otherwise.
APPLIES: dict[str, tuple[Callable[[QueueRow], bool], str]] = {
    "verify": (lambda r: r.emergency_unverified, "is not an unverified emergency"),
    "downgrade": (lambda r: r.emergency, "is not an emergency"),
    "notice": (lambda r: r.billing_state == "needs-notice", "needs no billing notice"),
    "decline": (lambda r: r.billing_state == "needs-notice", "needs no billing notice"),
    "ack_page": (lambda r: r.page_state == "open", "has no unacknowledged page"),
    "attach": (lambda r: r.triage, "is not in triage: it has its customer"),
}


@dataclass(frozen=True)
class Selection(Generic[Key]):
    """What the person points at in the focused pane: its rows in order, the cursor's row
    and the marked rows (space). Built by the screen from its grid; actions read this."""

    pane: Pane | None
    keys: tuple[Key, ...] = ()
    cursor: Key | None = None
    marked: frozenset[Key] = frozenset()

    @property
    def targets(self) -> list[Key]:
        """The marked rows in screen order, or the row under the cursor."""
        marked = [k for k in self.keys if k in self.marked]
        return marked or ([self.cursor] if self.cursor is not None else [])

    def position(self, key: Key) -> int | None:
        """1-based place of `key` in the pane, None if it is not shown."""
        return self.keys.index(key) + 1 if key in self.keys else None


def why_not(
    name: str,
    role: str | None,
    department: str | None,
    pane: Pane | None,
    row: QueueRow | None,
    handoffs: int = 0,
) -> str | None:
    """None if the action `name` applies, else one line saying why not; `handoffs`: how
    many shift handoff pages are open."""
    action, panes = NEEDS[name]
    reason = refusal(role, department, action)
    if reason:
        return reason
    if name == "ack_handoff":
        return None if handoffs else "no shift handoff is waiting for an acknowledgement"
    if pane not in panes:
        return f"{name} {PANE_HINT[panes]}"
    if name not in APPLIES:
        return None
    applies, otherwise = APPLIES[name]
    if row is None:
        return f"{name} works on a request: put the cursor on one"
    return None if applies(row) else f"#{row.id} {otherwise}"


def desk_keys_applying(row: QueueRow | None) -> tuple[bool, ...]:
    """Which after-hours keys apply to `row` (the footer follows this)."""
    return tuple(row is not None and applies(row) for applies, _ in APPLIES.values())

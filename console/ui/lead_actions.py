"""The lead actions: assign, reassign, move, prioritise, escalate, mark several rows,
and undo. Mixed into `SwitchboardApp`; what they share with the desk actions (targets,
permissions, the write worker) is in `console.ui.acting`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual.binding import Binding

from console.domain.escalation import Destination
from console.store import commands
from console.store.commands import leads
from console.ui.acting import UNDO_WINDOW, Acting, Do, act, key_pair
from console.ui.conflicts import Again, state
from console.ui.model import Pane, Selection
from console.ui.model.desk import Candidate
from console.ui.screens.dialogs import ConfirmScreen, PickerScreen, TextScreen

#: The escalation kinds as the liaison reads them (POLICY.md section 5), by kind id.
KINDS = [
    ("additional-services", "Customer Care      · a request for additional services"),
    ("product", "Technical          · the website product or an application error"),
    ("other", "Named person       · anything else: you name who takes it"),
]
ESCALATE_HINT = "↑ ↓ or Tab: where it goes · type the reason · Enter: escalate · Esc: cancel"


LEAD_BINDINGS = [
    *key_pair("a", "assign", "Assign", "lead.assign", "assign"),
    *key_pair("e", "escalate", "Escalate", "lead.escalate", "escalate"),
    *key_pair("r", "reassign", "Reassign", "lead.reassign", "reassign"),
    *key_pair("m", "move", "Move", "lead.move", "move"),
    *key_pair("plus", "priority(-1)", "Priority up", "lead.priority-up", "prioritise"),
    *key_pair("minus", "priority(1)", "Priority down", "lead.priority-down", "prioritise"),
    *key_pair("P", "position", "Set position", "lead.position", "prioritise"),
    Binding("space", act("mark"), "Mark", id="lead.mark", tooltip="Mark rows to act on several"),
    Binding("u", act("undo"), "Undo", id="lead.undo", tooltip="Undo your last action (60 s)"),
]


class LeadActions(Acting):
    """The keys of dispatchers and leads on the queue and the escalation panes."""

    def _candidates(self, department: str | None, held: Sequence[Any] = ()) -> list[Candidate]:
        """People to pick from; after a conflict, `held` marks who holds those rows now."""
        return self.host.desk.candidates(department, self.host.clock.now(), held)

    def actions(self) -> dict[str, Callable[..., None]]:
        return {
            "assign": self.assign,
            "escalate": self.escalate,
            "reassign": self.reassign,
            "move": self.move,
            "priority": self.priority,
            "position": self.position,
            "mark": self.mark,
            "undo": self.undo,
        }

    def _targets(self) -> Selection[Any]:
        return self.host.selection()

    # -- the actions --------------------------------------------------------------------------

    def assign(self) -> None:
        chosen = self._targets()
        self._assign(self.host.desk.requests_of(chosen.targets), chosen.pane)

    def _assign(self, rows: list[Any], pane: Pane | None, again: bool = False) -> None:
        """The assign picker for `rows` as seen now; `again` after a conflict (holders marked)."""
        if not rows:
            return
        seen = {r.id: r.version for r in rows}
        about = self._describe(rows, lambda r: r.id)
        undo = [
            (
                commands.assign,
                {"request_id": r.id, "to": r.assignee, "expected_version": r.version + 1},
            )
            if r.assignee
            else (commands.unassign, {"request_id": r.id, "expected_version": r.version + 1})
            for r in rows
        ]
        retry = Again("request", seen, lambda fresh: self._assign(fresh, None, again=True))

        def chosen(handle: str | None) -> None:
            if not handle:
                return
            targets = list(seen.items())
            self._confirm_then(
                len(rows),
                f"Assign {len(rows)} requests to {handle}?",
                about,
                lambda s: leads.assign_many(s, *self._me(), targets=targets, to=handle),
                f"assigned {about} to {handle}",
                undo,
                pane,
                retry,
            )

        candidates = self._candidates("desk", rows if again else ())
        self.host.push_screen(
            PickerScreen(f"Assign to · {len(rows)} selected", about, candidates, then=chosen)
        )

    def reassign(self) -> None:
        chosen = self._targets()
        self._reassign(self.host.desk.escalations_of(chosen.targets), chosen.pane)

    def _reassign(self, rows: list[Any], pane: Pane | None, again: bool = False) -> None:
        """The reassign picker for `rows` as seen now; `again` after a conflict."""
        if not rows:
            return
        destination = rows[0].destination
        department = {"customer-care": "customer-care", "technical": "technical"}.get(destination)
        seen = {r.id: r.version for r in rows}
        about = self._describe(rows, lambda r: r.request_id)
        undo = [
            (
                commands.reassign_escalation,
                {"escalation_id": r.id, "to": r.assignee, "expected_version": r.version + 1},
            )
            for r in rows
            if r.assignee
        ]
        retry = Again("escalation", seen, lambda fresh: self._reassign(fresh, None, again=True))

        def chosen(handle: str | None) -> None:
            if not handle:
                return
            targets = list(seen.items())
            self._confirm_then(
                len(rows),
                f"Reassign {len(rows)} escalations to {handle}?",
                about,
                lambda s: leads.reassign_many(s, *self._me(), targets=targets, to=handle),
                f"reassigned {about} to {handle}",
                undo if len(undo) == len(rows) else [],
                pane,
                retry,
            )

        candidates = self._candidates(department, rows if again else ())
        self.host.push_screen(
            PickerScreen(f"Reassign · {len(rows)} selected", about, candidates, then=chosen)
        )

    def move(self) -> None:
        rows = self.host.desk.escalations_of(self._targets().targets)[:1]
        if rows:
            self._open_move(rows[0])

    def _open_move(self, row: Any, again: bool = False) -> None:
        """The move dialog for `row` as seen now; `again` after a conflict (state shown)."""
        about = self._describe([row], lambda r: r.request_id)
        shown = f"{about}\nnow {state(row, self.host.desk.staff_names)}" if again else about
        choices = [d.value for d in Destination if d.value != row.destination]

        def chosen(value: tuple[str, str] | None) -> None:
            if not value:
                return
            destination, reason = value
            if destination == Destination.PERSON.value:
                self.host.push_screen(
                    PickerScreen(
                        "Move to a named person",
                        about,
                        self._candidates(None, [row] if again else ()),
                        then=lambda handle: (
                            self._move(row, destination, handle, reason, about) if handle else None
                        ),
                    )
                )
            else:
                self._move(row, destination, None, reason, about)

        self.host.push_screen(
            TextScreen("Move to another destination", shown, "reason (required)", choices), chosen
        )

    def _move(
        self, row: Any, destination: str, person: str | None, reason: str, about: str
    ) -> None:
        back = {
            "escalation_id": row.id,
            "destination": row.destination,
            "to": row.assignee,
            "reason": f"undo of the move to {destination}",
            "expected_version": row.version + 1,
        }
        self._attempt(
            lambda s: commands.reassign_escalation(
                s,
                *self._me(),
                escalation_id=row.id,
                to=person,
                destination=destination,
                reason=reason,
                expected_version=row.version,
            ),
            f"moved {about} to {destination}",
            [(commands.reassign_escalation, back)],
            Again("escalation", {row.id: row.version}, lambda f: self._open_move(f[0], True)),
        )

    def priority(self, step: int) -> None:
        chosen = self._targets()
        rows = self.host.desk.escalations_of(chosen.targets)[:1]
        here = chosen.position(rows[0].id) if rows else None
        if rows and here is not None:
            # No dialog to open again: after a conflict the lead presses + or - anew.
            again = Again("escalation", {rows[0].id: rows[0].version}, None)
            self._place(rows[0], max(1, min(here + step, len(chosen.keys))), chosen, again)

    def position(self) -> None:
        chosen = self._targets()
        rows = self.host.desk.escalations_of(chosen.targets)[:1]
        if rows:
            self._open_position(rows[0], chosen)

    def _open_position(self, row: Any, shown_in: Selection[Any], again: bool = False) -> None:
        """The position dialog for `row` as seen now; `again` after a conflict."""
        about = self._describe([row], lambda r: r.request_id)
        shown = f"{about}\nnow {state(row, self.host.desk.staff_names)}" if again else about
        retry = Again(
            "escalation",
            {row.id: row.version},
            lambda fresh: self._open_position(fresh[0], shown_in, True),
            lambda fresh: fresh.destination == Destination.TECHNICAL.value,
        )

        def chosen(value: str | None) -> None:
            if value is None:
                return
            digits = value.strip()
            # Past the end means last; a number past the command's limit is refused there.
            # (int() of thousands of digits is refused by Python itself: cap the length.)
            ok = digits.isascii() and digits.isdigit()
            position = (int(digits) if len(digits) <= 9 else 10**9) if ok else 0
            if position < 1:
                self.host.notify(
                    f"a position is a whole number: 1 is first, {len(shown_in.keys)} or more last",
                    severity="warning",
                )
                return
            self._place(row, position, shown_in, retry)

        self.host.push_screen(
            TextScreen("Set the technical position", shown, "position (1 = first)"), chosen
        )

    def _place(self, row: Any, position: int, shown_in: Selection[Any], again: Again) -> None:
        old = shown_in.position(row.id) or position
        self._attempt(
            lambda s: leads.place_technical(
                s,
                *self._me(),
                escalation_id=row.id,
                position=position,
                expected_version=row.version,
            ),
            f"moved the escalation of #{row.request_id} to position {position}",
            [(leads.place_technical, {"escalation_id": row.id, "position": old})],
            again,
        )

    def escalate(self) -> None:
        rows = self.host.desk.requests_of(self._targets().targets)[:1]
        if not rows:
            return
        row = rows[0]
        about = self._describe(rows, lambda r: r.id)

        def chosen(value: tuple[str, str] | None) -> None:
            if not value:
                return
            kind, reason = value
            if kind == "other":
                self.host.push_screen(
                    PickerScreen(
                        "Escalate to a named person",
                        about,
                        self._candidates(None),
                        then=lambda handle: (
                            self._escalate(row, kind, handle, reason, about) if handle else None
                        ),
                    )
                )
            else:
                self._escalate(row, kind, None, reason, about)

        self.host.push_screen(
            TextScreen("Escalate", about, "reason (required)", KINDS, ESCALATE_HINT), chosen
        )

    def _escalate(self, row: Any, kind: str, person: str | None, reason: str, about: str) -> None:
        self._attempt(
            lambda s: commands.escalate(
                s, *self._me(), request_id=row.id, kind=kind, to=person, reason=reason
            ),
            f"escalated {about} ({kind})",
            [],
        )

    def mark(self) -> None:
        self.host.toggle_mark()

    def undo(self) -> None:
        record = self.record.undo
        if record is None or self.host.clock.now() - record.at > UNDO_WINDOW:
            self.host.notify("nothing of yours to undo in the last 60 s", severity="warning")
            return
        if not record.steps:
            self.host.notify(f"cannot undo: {record.description}", severity="warning")
            return
        self.record.undo = None
        self._attempt(
            lambda s: leads.together(s, *self._me(), steps=record.steps),
            f"undid: {record.description}",
            [],
        )

    def _confirm_then(
        self,
        count: int,
        question: str,
        about: str,
        do: Do,
        done: str,
        undo: list[leads.Step],
        pane: Pane | None,
        again: Again,
    ) -> None:
        def go(confirmed: bool | None = True) -> None:
            if confirmed:
                if pane is not None:
                    self.host.clear_marks(pane)
                self._attempt(do, done, undo, again)

        if count > 1:
            # From the app's own queue: here we may be inside a picker's handler, and a
            # dialog pushed from there would answer to the picker, which is gone.
            self.host.call_later(self.host.push_screen, ConfirmScreen(question, about), go)
        else:
            go()

"""The lead actions: assign, reassign, move, prioritise, escalate, mark several rows,
and undo. Mixed into `SwitchboardApp`; what they share with the desk actions (targets,
permissions, the write worker) is in `console.ui.acting`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from console.domain.coverage import Presence, ShiftKind
from console.domain.escalation import Destination
from console.store import commands
from console.store.commands import leads
from console.ui.acting import UNDO_WINDOW, Acting, Maker, key_pair
from console.ui.screens.dialogs import Candidate, ConfirmScreen, PickerScreen, TextScreen
from console.ui.widgets.coverage_pane import CoveragePane
from console.ui.widgets.grid import VirtualGrid
from console.ui.widgets.queue_pane import QueuePane

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

KINDS = ["additional-services", "product", "other"]


LEAD_BINDINGS = [
    *key_pair("a", "assign", "Assign", "lead.assign", "assign"),
    *key_pair("e", "escalate", "Escalate", "lead.escalate", "escalate"),
    *key_pair("r", "reassign", "Reassign", "lead.reassign", "reassign"),
    *key_pair("m", "move", "Move", "lead.move", "move"),
    *key_pair("plus", "priority(-1)", "Priority up", "lead.priority-up", "prioritise"),
    *key_pair("minus", "priority(1)", "Priority down", "lead.priority-down", "prioritise"),
    *key_pair("P", "position", "Set position", "lead.position", "prioritise"),
    Binding("space", "mark", "Mark", id="lead.mark", tooltip="Mark rows to act on several"),
    Binding("u", "undo", "Undo", id="lead.undo", tooltip="Undo your last action (60 s)"),
]


class LeadActions(Acting):
    """The keys of dispatchers and leads on the queue and the escalation panes."""

    def _candidates(self, department: str | None) -> list[Candidate]:
        now = self.clock.now()  # type: ignore[attr-defined]
        roster = self.query_one(CoveragePane).roster  # type: ignore[attr-defined]
        on_duty = {s.staff for s in roster.shifts if s.kind is ShiftKind.DUTY and s.covers(now)}
        load = Counter(
            r.assignee
            for r in self.query_one(QueuePane).model.rows.values()
            if r.assignee  # type: ignore[attr-defined]
        )
        people = [
            h for h, d in self.staff_departments.items() if department is None or d == department
        ]
        found = [
            Candidate(h, roster.presence.get(h, Presence.AWAY).value, load[h], h in on_duty)
            for h in people
        ]
        return sorted(
            found, key=lambda c: (not c.on_duty, c.presence != "available", c.open_load, c.handle)
        )

    # -- the actions --------------------------------------------------------------------------

    def action_assign(self) -> None:
        grid, keys = self._targets()
        rows = self._requests(keys)
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

        def chosen(handle: str | None) -> None:
            if not handle:
                return

            def make(fresh: bool) -> Callable[[Session], Any]:
                targets = self._targets_at(seen, self._request_versions() if fresh else seen)
                return lambda s: leads.assign_many(s, *self._me(), targets=targets, to=handle)

            self._confirm_then(
                len(rows),
                f"Assign {len(rows)} requests to {handle}?",
                about,
                make,
                f"assigned {about} to {handle}",
                undo,
                grid,
            )

        self.push_screen(  # type: ignore[attr-defined]
            PickerScreen(
                f"Assign to · {len(rows)} selected", about, self._candidates("desk"), then=chosen
            )
        )

    def action_reassign(self) -> None:
        grid, keys = self._targets()
        rows = self._escalations(grid, keys)
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

        def chosen(handle: str | None) -> None:
            if not handle:
                return

            def make(fresh: bool) -> Callable[[Session], Any]:
                targets = self._targets_at(seen, self._escalation_versions() if fresh else seen)
                return lambda s: leads.reassign_many(s, *self._me(), targets=targets, to=handle)

            self._confirm_then(
                len(rows),
                f"Reassign {len(rows)} escalations to {handle}?",
                about,
                make,
                f"reassigned {about} to {handle}",
                undo if len(undo) == len(rows) else [],
                grid,
            )

        self.push_screen(  # type: ignore[attr-defined]
            PickerScreen(
                f"Reassign · {len(rows)} selected", about, self._candidates(department), then=chosen
            )
        )

    def action_move(self) -> None:
        grid, keys = self._targets()
        rows = self._escalations(grid, keys)[:1]
        if not rows:
            return
        row = rows[0]
        about = self._describe(rows, lambda r: r.request_id)
        choices = [d.value for d in Destination if d.value != row.destination]

        def chosen(value: tuple[str, str] | None) -> None:
            if not value:
                return
            destination, reason = value
            if destination == Destination.PERSON.value:
                self.push_screen(  # type: ignore[attr-defined]
                    PickerScreen(
                        "Move to a named person",
                        about,
                        self._candidates(None),
                        then=lambda handle: (
                            handle and self._move(row, destination, handle, reason, about)
                        ),
                    )
                )
            else:
                self._move(row, destination, None, reason, about)

        self.push_screen(  # type: ignore[attr-defined]
            TextScreen("Move to another destination", about, "reason (required)", choices), chosen
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

        def make(fresh: bool) -> Callable[[Session], Any]:
            version = self._escalation_versions().get(row.id) if fresh else row.version
            return lambda s: commands.reassign_escalation(
                s,
                *self._me(),
                escalation_id=row.id,
                to=person,
                destination=destination,
                reason=reason,
                expected_version=version,
            )

        self._attempt(
            make, f"moved {about} to {destination}", [(commands.reassign_escalation, back)]
        )

    def action_priority(self, step: int) -> None:
        grid, keys = self._targets()
        rows = self._escalations(grid, keys)[:1]
        if rows:
            position = grid.keys.index(rows[0].id) + 1 + step
            self._place(rows[0], max(1, min(position, len(grid.keys))), grid)

    def action_position(self) -> None:
        grid, keys = self._targets()
        rows = self._escalations(grid, keys)[:1]
        if not rows:
            return
        about = self._describe(rows, lambda r: r.request_id)

        def chosen(value: str | None) -> None:
            if value is None:
                return
            if not value.isdigit() or not 1 <= int(value) <= len(grid.keys):
                self.notify(f"a position is 1 to {len(grid.keys)}", severity="warning")  # type: ignore[attr-defined]
                return
            self._place(rows[0], int(value), grid)

        self.push_screen(
            TextScreen("Set the technical position", about, "position (1 = first)"), chosen
        )  # type: ignore[attr-defined]

    def _place(self, row: Any, position: int, grid: VirtualGrid) -> None:
        old = grid.keys.index(row.id) + 1

        def make(fresh: bool) -> Callable[[Session], Any]:
            version = self._escalation_versions().get(row.id) if fresh else row.version
            return lambda s: leads.place_technical(
                s, *self._me(), escalation_id=row.id, position=position, expected_version=version
            )

        self._attempt(
            make,
            f"moved the escalation of #{row.request_id} to position {position}",
            [(leads.place_technical, {"escalation_id": row.id, "position": old})],
        )

    def action_escalate(self) -> None:
        _grid, keys = self._targets()
        rows = self._requests(keys)[:1]
        if not rows:
            return
        row = rows[0]
        about = self._describe(rows, lambda r: r.id)

        def chosen(value: tuple[str, str] | None) -> None:
            if not value:
                return
            kind, reason = value
            if kind == "other":
                self.push_screen(  # type: ignore[attr-defined]
                    PickerScreen(
                        "Escalate to a named person",
                        about,
                        self._candidates(None),
                        then=lambda handle: (
                            handle and self._escalate(row, kind, handle, reason, about)
                        ),
                    )
                )
            else:
                self._escalate(row, kind, None, reason, about)

        self.push_screen(TextScreen("Escalate", about, "reason", KINDS), chosen)  # type: ignore[attr-defined]

    def _escalate(self, row: Any, kind: str, person: str | None, reason: str, about: str) -> None:
        self._attempt(
            lambda _fresh: (
                lambda s: commands.escalate(
                    s, *self._me(), request_id=row.id, kind=kind, to=person, reason=reason
                )
            ),
            f"escalated {about} ({kind})",
            [],
        )

    def action_mark(self) -> None:
        grid = self._focused_grid()
        if grid is not None and grid.cursor_key is not None:
            grid.toggle_mark(grid.cursor_key)
            grid.action_cursor_down()

    def action_undo(self) -> None:
        record = self.undo_record
        if record is None or self.clock.now() - record.at > UNDO_WINDOW:  # type: ignore[attr-defined]
            self.notify("nothing of yours to undo in the last 60 s", severity="warning")  # type: ignore[attr-defined]
            return
        if not record.steps:
            self.notify(f"cannot undo: {record.description}", severity="warning")  # type: ignore[attr-defined]
            return
        self.undo_record = None
        self._attempt(
            lambda _fresh: lambda s: leads.together(s, *self._me(), steps=record.steps),
            f"undid: {record.description}",
            [],
        )

    @staticmethod
    def _targets_at(seen: dict[int, int], versions: dict[int, int]) -> list[leads.Target]:
        """The rows seen at the key press, at `versions` (those seen, or those now on screen)."""
        return [(row_id, versions.get(row_id)) for row_id in seen]

    def _confirm_then(
        self,
        count: int,
        question: str,
        about: str,
        make: Maker,
        done: str,
        undo: list[leads.Step],
        grid: VirtualGrid,
    ) -> None:
        def go(confirmed: bool | None = True) -> None:
            if confirmed:
                grid.clear_marks()
                self._attempt(make, done, undo)

        if count > 1:
            # From the app's own queue: here we may be inside a picker's handler, and a
            # dialog pushed from there would answer to the picker, which is gone.
            self.call_later(self.push_screen, ConfirmScreen(question, about), go)  # type: ignore[attr-defined]
        else:
            go()

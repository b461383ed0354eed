"""The three escalation panes: Customer Care, Technical (in priority order), Named person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Vertical

from console.domain.escalation import Destination
from console.store.board_rows import EscalationRow
from console.ui.format import age, inert
from console.ui.widgets.grid import Column, VirtualGrid

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from console.clock import Clock

COLUMNS = (
    Column("priority", "P", 3, align="right"),
    Column("request", "Req", 6, align="right"),
    Column("customer", "Customer", 16),
    Column("assignee", "Assignee", 9),
    Column("age", "Age", 7, align="right"),
    Column("reason", "Reason"),
)
TITLES = {
    Destination.CUSTOMER_CARE: "2 Customer Care",
    Destination.TECHNICAL: "3 Technical",
    Destination.PERSON: "4 Named person",
}


def _order(row: EscalationRow) -> tuple:
    if row.destination == Destination.TECHNICAL:
        # The technical team's own order first; unprioritised items after, oldest first.
        return (row.technical_priority is None, row.technical_priority or 0, row.opened_at)
    return (False, 0, row.opened_at)


class EscalationPane(Vertical):
    """One destination's open escalations."""

    def __init__(self, destination: Destination, clock: Clock, **kwargs) -> None:
        super().__init__(**kwargs)
        self.destination = destination
        self.clock = clock
        self.rows: dict[int, EscalationRow] = {}
        columns = COLUMNS if destination is Destination.TECHNICAL else COLUMNS[1:]
        self.grid = VirtualGrid(
            columns, self._cells, empty_text="nothing escalated", id=f"esc-{destination.value}"
        )

    def compose(self) -> ComposeResult:
        yield self.grid

    def on_mount(self) -> None:
        self._show()

    def load(self, rows: dict[int, EscalationRow]) -> None:
        self.rows = {k: v for k, v in rows.items() if v.destination == self.destination}
        self._show()

    def apply(self, upserts: dict[int, EscalationRow], gone: frozenset[int]) -> None:
        for row_id in gone:
            self.rows.pop(row_id, None)
        for row_id, row in upserts.items():
            if row.destination == self.destination:
                self.rows[row_id] = row
            else:  # moved to another destination
                self.rows.pop(row_id, None)
        self._show()

    def _show(self) -> None:
        ordered = sorted(self.rows.values(), key=_order)
        self.grid.set_keys([row.id for row in ordered])
        self.border_title = f"{TITLES[self.destination]} · {len(self.rows)}"

    def _cells(self, key: object) -> dict[str, str]:
        row = self.rows[key]  # type: ignore[index]
        return {
            "priority": str(row.technical_priority) if row.technical_priority else "-",
            "request": str(row.request_id),
            "customer": inert(row.customer),
            "assignee": row.assignee or "-",
            "age": age(row.opened_at, self.clock.now()),
            "reason": inert(row.reason or ""),
        }

"""The three escalation panes: Customer Care, Technical (in priority order), Named person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import Vertical

from console.domain.escalation import Destination
from console.store.board_rows import EscalationRow
from console.ui.format import age, inert
from console.ui.model import DeskState, Pane
from console.ui.widgets.grid import Column, VirtualGrid

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from console.clock import Clock

#: The reason gets the room first: the age shows only in a wide pane, then the customer
#: and at last the assignee give way (the request number says which one it is).
COLUMNS = (
    Column("priority", "P", 3, align="right"),
    Column("request", "Req", 5, align="right"),
    Column("customer", "Customer", 14, drop=2),
    Column("assignee", "Assignee", 9, compact_width=7, drop=1),
    Column("age", "Age", 6, align="right", min_table_width=60),
    Column("reason", "Reason", min_width=11),
)
TITLES = {
    Destination.CUSTOMER_CARE: "2 Customer Care",
    Destination.TECHNICAL: "3 Technical",
    Destination.PERSON: "4 Named person",
}


class EscalationPane(Vertical):
    """One destination's open escalations."""

    def __init__(
        self, destination: Destination, desk: DeskState, clock: Clock, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.destination = destination
        self.pane = Pane(destination.value)
        self.desk = desk
        self.clock = clock
        columns = COLUMNS if destination is Destination.TECHNICAL else COLUMNS[1:]
        self.grid = VirtualGrid(
            columns, self._cells, empty_text="nothing escalated", id=f"esc-{destination.value}"
        )

    @property
    def rows(self) -> dict[int, EscalationRow]:
        """This destination's escalations as shown, by id."""
        return {r.id: r for r in self.desk.escalations_to(self.destination)}

    def compose(self) -> ComposeResult:
        yield self.grid

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        """Redraw from the desk model (after a load or a batch that touched escalations)."""
        ordered = self.desk.escalations_to(self.destination)
        self.grid.set_keys([row.id for row in ordered])
        self.border_title = f"{TITLES[self.destination]} · {len(ordered)}"

    def _cells(self, key: object) -> dict[str, str]:
        row = self.desk.escalation(key)
        assert row is not None  # the grid shows only the model's keys
        return {
            "priority": str(row.technical_priority) if row.technical_priority else "-",
            "request": str(row.request_id),
            "customer": inert(row.customer),
            "assignee": row.assignee or "-",
            "age": age(row.opened_at, self.clock.now()),
            "reason": inert(row.reason or ""),
        }

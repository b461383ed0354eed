"""The console's model of the desk, without Textual (an import-linter contract keeps it so):
`DeskState` holds what the desk knows, `keys` decides which actions apply, `queue` orders
and filters the queue."""

from console.ui.model.desk import Alerts, Candidate, Changed, DeskState, Identity
from console.ui.model.keys import Pane, Selection, desk_keys_applying, why_not
from console.ui.model.queue import QueueModel

__all__ = [
    "Alerts",
    "Candidate",
    "Changed",
    "DeskState",
    "Identity",
    "Pane",
    "QueueModel",
    "Selection",
    "desk_keys_applying",
    "why_not",
]

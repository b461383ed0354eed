"""The console's keys, each with an id the settings file's `[keymap]` may rebind."""

from __future__ import annotations

from textual.binding import Binding

from console.ui.desk_actions import DESK_BINDINGS
from console.ui.lead_actions import LEAD_BINDINGS
from console.ui.work_actions import WORK_BINDINGS

APP_BINDINGS: list[Binding | tuple[str, str] | tuple[str, str, str]] = [
    Binding("q", "quit", "Quit", id="switchboard.quit", tooltip="Leave the console"),
    Binding("question_mark", "help", "Help", id="switchboard.help", tooltip="Every key"),
    Binding("tab", "next_pane", "Next pane", show=False, id="switchboard.next-pane"),
    Binding("shift+tab", "previous_pane", "Previous pane", show=False, id="switchboard.prev-pane"),
    Binding("1", "pane(0)", "Queue", show=False, id="switchboard.pane-queue"),
    Binding("2", "pane(1)", "Customer Care", show=False, id="switchboard.pane-care"),
    Binding("3", "pane(2)", "Technical", show=False, id="switchboard.pane-technical"),
    Binding("4", "pane(3)", "Named person", show=False, id="switchboard.pane-person"),
    Binding("s", "sort", "Sort", id="switchboard.sort", tooltip="Next sort column"),
    Binding("S", "sort_direction", "Sort ↑↓", show=False, id="switchboard.sort-direction"),
    Binding("f", "quick_filter", "Quick filter", id="switchboard.quick-filter"),
    Binding("p", "toggle_pause", "Pause", id="switchboard.pause", tooltip="Freeze live updates"),
    Binding(
        "ctrl+r", "refresh", "Refresh", id="switchboard.refresh", tooltip="Re-read and re-sort"
    ),
    Binding(
        "R",
        "reports",
        "Reports",
        show=False,
        id="switchboard.reports",
        tooltip="Billing, response times and coverage ahead",
    ),
    *LEAD_BINDINGS,
    *DESK_BINDINGS,
    *WORK_BINDINGS,
]

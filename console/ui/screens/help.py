"""The `?` screen: every key the console understands, from the bindings themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

MOVES = [
    ("↑ ↓  j k", "move in the focused pane"),
    ("PgUp PgDn  Home End", "move by a page, to the first or last row"),
    ("Enter", "open the request in detail"),
    ("Esc", "clear the filter, close a screen"),
    ("ctrl+p", "command palette: type a ticket number to jump to it, or any command"),
]

#: What the symbols on the main screen mean (they read without colour too).
LEGEND = [
    ("⚑", "emergency (always on top of the queue)"),
    ("★", "designated emergency contact of the customer"),
    ("!", "SLA warning: a quarter of the target or less left; `! verify`: unverified emergency"),
    ("✖", "SLA breached: past due, counting up"),
    ("‖", "SLA paused while the desk is closed: business time left → when it resumes"),
    ("✓", "SLA met: first response in time"),
    ("↕", "moved at the last re-sort"),
    ("·", "no SLA timer (a call answered live)"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str, str]], note: str | None = None) -> None:
        super().__init__()
        self.bindings = bindings
        self.note = note

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 3))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        table.add_column(style="dim")
        for keys, what in MOVES:
            table.add_row(keys, what, "")
        for keys, what, binding_id in self.bindings:
            table.add_row(keys, what, binding_id)
        legend = Table.grid(padding=(0, 3))
        legend.add_column(style="bold", no_wrap=True)
        legend.add_column()
        for symbol, meaning in LEGEND:
            legend.add_row(symbol, meaning)
        # The symbols first: they are what a newcomer meets on the main screen.
        parts = [
            Static(Text("Symbols", style="bold")),
            Static(legend),
            Static(Text("")),
            Static(table),
        ]
        if self.note:  # plain text: never markup
            parts.insert(0, Static(Text(self.note + "\n", style="bold"), id="help-note"))
        body = VerticalScroll(*parts, id="help-body")
        body.border_title = (
            r"Symbols and keys · rebind any id in the settings file's \[keymap] · Esc closes"
        )
        yield body


def help_rows(
    bindings: Iterable[object], display: Callable[[Binding], str]
) -> list[tuple[str, str, str]]:
    """(keys, what, id) of every binding with an id, keys as the terminal shows them."""
    rows = []
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id:
            keys = "  ".join(
                display(Binding(key, binding.action)) for key in binding.key.split(",")
            )
            rows.append((keys, binding.description, binding.id))
    return rows

"""The glance line under the top line: the desk's counts (breached, due within the hour,
unassigned, emergencies, triage, free / on duty) and the breach forecast as a sparkline.
It draws what `console.ui.model.glance` computed; it asks nothing itself."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Sparkline, Static

from console.domain.forecast import Glance
from console.ui.model.glance import DeskGlance

#: Below this many cells the counts use their short labels.
SHORT_BELOW = 130


def glance_text(counts: Glance, short: bool = False) -> Text:
    """` ✖ 3 breached · ! 5 due within 1h · 4 unassigned · ⚑ 1 emergencies · triage 2 ·
    free 2 / 4 on duty` (`short`: `✖ 3 · ! 5 <1h · 4 unassigned · ⚑ 1 · triage 2 · free
    2/4`); a count that needs someone is coloured, a zero is dim."""
    parts = [
        ("✖ {} breached" if not short else "✖ {}", counts.breached, "bold red"),
        ("! {} due within 1h" if not short else "! {} <1h", counts.due_soon, "bold yellow"),
        ("{} unassigned", counts.unassigned, "bold"),
        (
            "⚑ {}"
            if short
            else ("⚑ {} emergency" if counts.emergencies == 1 else "⚑ {} emergencies"),
            counts.emergencies,
            "bold red",
        ),
        ("triage {}", counts.triage, "bold yellow"),
    ]
    text = Text(" ")
    for form, value, style in parts:
        text.append(form.format(value), style=style if value else "dim")
        text.append(" · ", style="dim")
    form = "free {}/{}" if short else "free {} / {} on duty"
    staffed = "green" if counts.free else ("bold red" if counts.on_duty else "dim")
    text.append(form.format(counts.free, counts.on_duty), style=staffed)
    return text


def forecast_text(forecast: tuple[int, ...]) -> Text:
    """The numbers beside the sparkline: `0 1 3 5` breaches in each quarter hour."""
    return Text(" ".join(map(str, forecast)), style="bold red" if any(forecast) else "dim")


class GlanceBar(Horizontal):
    """One line: the counts on the left, the next hour's breach forecast on the right."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.last: DeskGlance | None = None
        self._short: bool | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="glance-counts")
        yield Static(Text("breaches next hour ", style="dim"), id="glance-label")
        yield Sparkline([0, 0, 0, 0], id="glance-forecast")
        yield Static(id="glance-numbers")

    def show(self, view: DeskGlance) -> None:
        """Redraw only when a count, the forecast or the width class changed."""
        short = self.size.width < SHORT_BELOW
        if view == self.last and short == self._short:
            return
        self.last, self._short = view, short
        self.query_one("#glance-counts", Static).update(glance_text(view.counts, short))
        self.query_one("#glance-forecast", Sparkline).data = list(view.forecast)
        self.query_one("#glance-numbers", Static).update(forecast_text(view.forecast))
        self.query_one("#glance-label").display = not short

    def on_resize(self) -> None:
        if self.last is not None:
            self.show(self.last)

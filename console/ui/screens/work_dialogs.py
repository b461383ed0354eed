"""The dialogs of the work keys (issue 18): compose a reply or a note, say when a call was
answered, log work. Each returns its answer through `dismiss` (None when cancelled with
Escape) and checks what was typed before it closes: a bad field is named under the form,
the dialog stays open, and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static, TextArea

from console.domain.localtime import LocalTimeError, parse_recent
from console.domain.worktime import HINT, WorkTimeError, work_span
from console.ui.format import inert
from console.ui.screens.dialogs import _Dialog

#: An error line is cut here: what was typed may be very long.
MESSAGE_WIDTH = 200


class ComposeScreen(_Dialog):
    """Several lines of text (a reply to the customer, a note); ctrl+s sends."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="compose.send", priority=True),
        Binding("escape", "cancel", "Cancel", id="compose.cancel"),
    ]

    def __init__(self, title: str, targets: str, hint: str) -> None:
        super().__init__()
        self.title_text = title
        self.targets = targets
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog compose") as box:
            box.border_title = self.title_text
            yield Static(Text(self.targets), classes="dialog-targets")
            yield Static(Text(self.hint), classes="compose-hint")
            yield TextArea(id="compose-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="compose-error", classes="dialog-error")
            yield Static(Text("ctrl+s: send    Esc: cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#compose-text", TextArea).focus()

    def action_send(self) -> None:
        text = self.query_one("#compose-text", TextArea).text.strip()
        if not text:
            self.query_one("#compose-error", Static).update(Text("Nothing written yet"))
            return
        self.dismiss(text)


class WhenScreen(_Dialog):
    """When something happened (the response to a call): `HH:MM`, filled with now."""

    def __init__(
        self, title: str, targets: str, question: str, zone: ZoneInfo, now: datetime
    ) -> None:
        super().__init__()
        self.title_text = title
        self.targets = targets
        self.question = question
        self.zone = zone
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Static(Text(self.targets), classes="dialog-targets")
            with Horizontal(classes="field"):
                yield Label(self.question, classes="field-label")
                yield Input(f"{self.now.astimezone(self.zone):%H:%M}", id="when-at")
            yield Static("", id="when-error", classes="dialog-error")
            yield Static(Text("HH:MM (latest past) or YYYY-MM-DD HH:MM, desk time", style="dim"))
            yield Static(Text("Enter: record    Esc: cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#when-at", Input).focus()

    @on(Input.Submitted, "#when-at")
    def _submit(self, event: Input.Submitted) -> None:
        try:
            at = parse_recent(event.value, self.zone, self.now)
        except LocalTimeError as exc:
            self.query_one("#when-error", Static).update(Text(inert(str(exc))[:MESSAGE_WIDTH]))
            return
        self.dismiss(at)


@dataclass(frozen=True)
class WorkAnswer:
    started_at: datetime
    ended_at: datetime
    note: str | None


class WorkScreen(_Dialog):
    """Time worked (minutes, or the start time: it ends now) and an optional note."""

    def __init__(self, targets: str, zone: ZoneInfo, now: datetime, start: str = "") -> None:
        super().__init__()
        self.targets = targets
        self.zone = zone
        self.now = now
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Log work"
            yield Static(Text(self.targets), classes="dialog-targets")
            with Horizontal(classes="field"):
                yield Label("Time", classes="field-label")
                yield Input(self.start, placeholder="25 or 09:40", id="work-time")
            with Horizontal(classes="field"):
                yield Label("Note", classes="field-label")
                yield Input(placeholder="what was done (optional)", id="work-note")
            yield Static("", id="work-error", classes="dialog-error")
            yield Static(Text(f"Time: {HINT}; it ends now", style="dim"))
            yield Static(Text("Enter: log it    Tab: next field    Esc: cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#work-time", Input).focus()

    @on(Input.Submitted)
    def _submit(self) -> None:
        typed = self.query_one("#work-time", Input)
        try:
            start, end = work_span(typed.value, self.zone, self.now)
        except WorkTimeError as exc:
            self.query_one("#work-error", Static).update(
                Text(inert(f"Time: {exc}")[:MESSAGE_WIDTH])
            )
            typed.focus()
            return
        note = self.query_one("#work-note", Input).value.strip() or None
        self.dismiss(WorkAnswer(start, end, note))


#: The work dialogs, for the keymap check (their ids may be rebound).
WORK_DIALOGS = (ComposeScreen, WhenScreen, WorkScreen)

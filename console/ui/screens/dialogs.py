"""The small dialogs of the console's actions: pick one, confirm, a line of text, conflict.

Every dialog names its targets by request id and customer, never by row position, and
returns what was chosen through `dismiss` (None when cancelled with Escape).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from console.ui.format import inert
from console.ui.model.desk import Candidate

__all__ = [
    "DIALOGS",
    "Candidate",
    "Choice",
    "ConfirmScreen",
    "ConflictScreen",
    "PickerScreen",
    "TextScreen",
]


class Pickable(Protocol):
    """Something a picker lists: `key` is what it returns and what typing filters on."""

    @property
    def key(self) -> str: ...

    def label(self) -> Text: ...


@dataclass(frozen=True)
class Choice:
    """A plain picker line: returns `key`, shows `key` and a note beside it."""

    key: str
    note: str = ""

    def label(self) -> Text:
        text = Text(f"{inert(self.key):<24}", style="bold")
        text.append(inert(self.note))
        return text


class _Dialog(ModalScreen[Any]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickerScreen(_Dialog):
    """Type to filter, arrows to choose, Enter to confirm."""

    def __init__(
        self,
        title: str,
        targets: str,
        candidates: Sequence[Pickable],
        then: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.targets = targets
        self.candidates = candidates
        #: Called with the key at once, in the Enter key's own handler: a result callback
        #: would wait its turn in the app's queue, often behind a repaint. A dialog that
        #: `then` opens must be pushed with `app.call_later`, or it answers to the picker.
        self.then = then

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Static(Text(self.targets), classes="dialog-targets")
            yield Input(placeholder="type to filter", id="picker-filter")
            yield OptionList(*self._options(""), id="picker-options")

    def _options(self, needle: str) -> list[Option]:
        return [
            Option(c.label(), id=c.key)
            for c in self.candidates
            if needle.casefold() in c.label().plain.casefold()  # handle, name, notes
        ]

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        options.add_options(self._options(event.value))
        if options.option_count:
            options.highlighted = 0

    def on_mount(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.option_count:
            options.highlighted = 0

    def on_key(self, event: events.Key) -> None:
        # Arrows move in the list while the filter keeps the focus.
        options = self.query_one("#picker-options", OptionList)
        if event.key in ("down", "up"):
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()
            event.stop()

    @on(Input.Submitted, "#picker-filter")
    def _submit(self) -> None:
        options = self.query_one("#picker-options", OptionList)
        if options.highlighted is not None:
            self._pick(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, key: str | None) -> None:
        if self.then is None or key is None:
            self.dismiss(key)
            return
        self.dismiss(None)  # off the stack first: `then` may open the next dialog
        self.then(key)


class ConfirmScreen(_Dialog):
    """y / Enter confirms, n / Escape cancels."""

    BINDINGS = [
        Binding("y,enter", "confirm", "Yes", id="dialog.yes"),
        Binding("n,escape", "cancel", "No", id="dialog.no"),
    ]

    def __init__(self, question: str, details: str) -> None:
        super().__init__()
        self.question = question
        self.details = details

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Confirm"
            yield Static(Text(self.question, style="bold"))
            yield Static(Text(self.details), classes="dialog-targets")
            yield Static(Text("y / Enter: yes    n / Esc: no", style="dim"))

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class TextScreen(_Dialog):
    """One line of text (a reason, a position); Enter confirms a non-empty value.

    With `choices` (ids, or (id, label) pairs) the value is returned with the chosen id;
    the text keeps the focus while ↑ ↓ or Tab change the choice, so nothing typed is lost.
    """

    def __init__(
        self,
        title: str,
        targets: str,
        prompt: str,
        choices: Sequence[str | tuple[str, str]] | None = None,
        hint: str | None = None,
    ):
        super().__init__()
        self.title_text = title
        self.targets = targets
        self.prompt = prompt
        self.choices = [(c, c) if isinstance(c, str) else c for c in choices or ()]
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.title_text
            yield Static(Text(self.targets), classes="dialog-targets")
            if self.choices:
                options = [Option(label, id=key) for key, label in self.choices]
                yield OptionList(*options, id="text-choices")
            yield Input(placeholder=self.prompt, id="text-value")
            yield Static("", id="text-error", classes="dialog-error")
            if self.hint:
                yield Static(Text(self.hint, style="dim"), id="text-hint")

    def on_mount(self) -> None:
        self.query_one("#text-value", Input).focus()
        if self.choices:
            self.query_one("#text-choices", OptionList).highlighted = 0

    def on_key(self, event: events.Key) -> None:
        keys = {"down": 1, "tab": 1, "up": -1, "shift+tab": -1}
        if self.choices and event.key in keys:
            choices = self.query_one("#text-choices", OptionList)
            if keys[event.key] > 0:
                choices.action_cursor_down()
            else:
                choices.action_cursor_up()
            if event.key.endswith("tab") and choices.highlighted is None:
                choices.highlighted = 0
            event.stop()
            event.prevent_default()  # Tab would move the focus off the typed text

    @on(Input.Submitted, "#text-value")
    def _submit(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.query_one("#text-error", Static).update(Text(f"{self.prompt}: required"))
            return
        if self.choices:
            choices = self.query_one("#text-choices", OptionList)
            chosen = choices.get_option_at_index(choices.highlighted or 0).id
            self.dismiss((chosen, value))
        else:
            self.dismiss(value)


class ConflictScreen(_Dialog):
    """Someone else changed the row first: what it is now, who changed it and when.

    `r` (only when `retry` says what it opens) dismisses with True: the action opens its
    own dialog again on the new version; Escape dismisses with False and nothing is written.
    """

    BINDINGS = [
        Binding("r", "retry", "Choose again", id="dialog.retry"),
        Binding("escape", "cancel", "Leave it", id="dialog.cancel"),
    ]

    def __init__(self, message: str, retry: str | None = None) -> None:
        super().__init__()
        self.message = message
        self.retry = retry

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog conflict") as box:
            box.border_title = "Changed by someone else"
            yield Static(Text(self.message, style="bold"))
            yield Static("Nothing was written. The rows on screen show the new version.")
            hint = f"{self.retry}    Esc: leave it" if self.retry else "Esc: leave it"
            yield Static(Text(hint, style="dim"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.retry is not None if action == "retry" else True

    def action_retry(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


#: Every dialog, for the keymap check (their ids may be rebound).
DIALOGS = (PickerScreen, ConfirmScreen, TextScreen, ConflictScreen)

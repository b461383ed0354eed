"""The billing-notice dialog (`n`): when the customer was told, how, and by whom.

Three fields, each filled with the likely answer (now, by phone, the signed-in person),
so the common case is one Enter. Enter in any field checks all three and records; a bad
field is named under the form and nothing is written.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from console.domain.localtime import LocalTimeError, parse_recent
from console.ui.format import inert
from console.ui.screens.dialogs import _Dialog

#: An error line is cut here: what was typed may be very long.
MESSAGE_WIDTH = 200


@dataclass(frozen=True)
class NoticeAnswer:
    at: datetime
    method: str
    given_by: str


class NoticeScreen(_Dialog):
    """Returns a `NoticeAnswer`, or None when cancelled."""

    def __init__(
        self,
        targets: str,
        terms: str,
        *,
        methods: list[str],
        me: str,
        staff: Collection[str],
        zone: ZoneInfo,
        now: datetime,
    ) -> None:
        super().__init__()
        self.targets = targets
        self.terms = terms
        self.methods = methods
        self.me = me
        self.staff = staff
        self.zone = zone
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Record billing notice"
            yield Static(Text(self.targets), classes="dialog-targets")
            yield Static(Text(self.terms), classes="notice-terms")
            with Horizontal(classes="field"):
                yield Label("When", classes="field-label")
                yield Input(f"{self.now.astimezone(self.zone):%H:%M}", id="notice-when")
            with Horizontal(classes="field"):
                yield Label("How", classes="field-label")
                yield OptionList(*[Option(m, id=m) for m in self.methods], id="notice-how")
            with Horizontal(classes="field"):
                yield Label("By", classes="field-label")
                yield Input(self.me, id="notice-by")
            yield Static("", id="notice-error", classes="dialog-error")
            yield Static(
                Text(
                    "When: HH:MM (latest past) or YYYY-MM-DD HH:MM, desk time\n"
                    "Enter: record    Tab: next field    Esc: cancel",
                    style="dim",
                )
            )

    def on_mount(self) -> None:
        self.query_one("#notice-how", OptionList).highlighted = 0
        self.query_one("#notice-when", Input).focus()

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _submit(self) -> None:
        error = self.query_one("#notice-error", Static)
        try:
            at = parse_recent(self.query_one("#notice-when", Input).value, self.zone, self.now)
        except LocalTimeError as exc:
            error.update(Text(inert(f"When: {exc}")[:MESSAGE_WIDTH]))
            self.query_one("#notice-when", Input).focus()
            return
        given_by = self.query_one("#notice-by", Input).value.strip().lower()
        if given_by not in self.staff:
            who = inert(given_by)[:40] or "nobody"
            error.update(Text(f"By: {who} is not on the staff list"))
            self.query_one("#notice-by", Input).focus()
            return
        how = self.query_one("#notice-how", OptionList)
        method = how.get_option_at_index(how.highlighted or 0).id or self.methods[0]
        self.dismiss(NoticeAnswer(at, method, given_by))

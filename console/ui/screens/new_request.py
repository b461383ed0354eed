"""The new-request dialog (`N`, issue 18): log a call, voicemail, e-mail or portal request
from the console, as `switchboard ticket new` does.

Typing filters: the customer by name; the caller by name, e-mail or phone among the
customer's contacts (and, once something is typed, among every customer's: picking one
of those picks its customer too). A caller nobody knows is added as a new contact in the
same write (any agent may add one; only leads designate). Enter in any field checks the
whole form; a bad field is named under it, and nothing is written until it is right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from console.domain.localtime import LocalTimeError, parse_recent
from console.store.commands.calls import NewCaller
from console.store.views import ContactView
from console.ui.format import inert
from console.ui.screens.dialogs import _Dialog

#: The option id of "add what was typed as a new contact".
NEW = "new"


@dataclass(frozen=True)
class Customer:
    id: int
    name: str


@dataclass(frozen=True)
class NewRequest:
    """What the dialog returns: the request to log."""

    customer_id: int
    customer: str
    #: An existing contact's id, or None (no contact, or `new_caller`).
    contact_id: int | None
    new_caller: NewCaller | None
    channel: str
    received_at: datetime
    summary: str
    emergency: bool
    #: The caller's name (existing or new), for the "Done" line; None if nobody was named.
    caller: str | None = None


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def matches(contact: ContactView, typed: str) -> bool:
    """Does `typed` find `contact` by name, e-mail or phone (digits only, so `5550142`
    finds `555-0142`)?"""
    needle = typed.strip().casefold()
    if not needle:
        return True
    if needle in contact.name.casefold() or needle in (contact.email or "").casefold():
        return True
    digits = _digits(needle)
    return len(digits) >= 3 and digits in _digits(contact.phone or "")


class NewRequestScreen(_Dialog):
    """Returns a `NewRequest`, or None when cancelled."""

    def __init__(
        self,
        customers: Sequence[Customer],
        contacts: Sequence[ContactView],
        channels: Sequence[str],
        zone: ZoneInfo,
        now: datetime,
    ) -> None:
        super().__init__()
        self.customers = list(customers)
        self.contacts = list(contacts)
        self.channels = list(channels)
        self.zone = zone
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog new-request") as box:
            box.border_title = "New request"
            yield Static(
                Text("Type to filter; ↑↓ choose in the list under the field"),
                classes="dialog-targets",
            )
            with Horizontal(classes="field"):
                yield Label("Customer", classes="field-label")
                yield Input(placeholder="name", id="new-customer", compact=True)
            yield OptionList(id="new-customers", compact=True)
            with Horizontal(classes="field"):
                yield Label("Caller", classes="field-label")
                yield Input(placeholder="name, e-mail or phone", id="new-caller", compact=True)
            yield OptionList(id="new-callers", compact=True)
            with Horizontal(classes="field", id="new-contact-fields"):
                yield Label("New: phone", classes="field-label")
                yield Input(placeholder="optional", id="new-phone", compact=True)
                yield Label(" e-mail ")
                yield Input(placeholder="optional", id="new-email", compact=True)
            with Horizontal(classes="field"):
                yield Label("Channel", classes="field-label")
                with RadioSet(id="new-channel", compact=True):
                    for index, channel in enumerate(self.channels):
                        yield RadioButton(channel, value=index == 0, compact=True)
            with Horizontal(classes="field"):
                yield Label("Received", classes="field-label")
                yield Input(
                    f"{self.now.astimezone(self.zone):%H:%M}", id="new-received", compact=True
                )
            with Horizontal(classes="field"):
                yield Label("Summary", classes="field-label")
                yield Input(placeholder="what is wrong", id="new-summary", compact=True)
            yield Checkbox(
                "Emergency: the website is down or applications fail",
                id="new-emergency",
                compact=True,
            )
            yield Static("", id="new-error", classes="dialog-error")
            yield Static(Text("Enter: log it    Tab: next field    Esc: cancel", style="dim"))

    def on_mount(self) -> None:
        for lists in self.query(OptionList):
            lists.can_focus = False
        self._show_customers("")
        self.query_one("#new-customer", Input).focus()

    # -- the two pickers ------------------------------------------------------------------

    def _customer(self) -> Customer | None:
        options = self.query_one("#new-customers", OptionList)
        if options.highlighted is None:
            return None
        key = options.get_option_at_index(options.highlighted).id
        return next((c for c in self.customers if str(c.id) == key), None)

    def _show_customers(self, typed: str, keep: int | None = None) -> None:
        needle = typed.strip().casefold()
        shown = [c for c in self.customers if needle in c.name.casefold()]
        options = self.query_one("#new-customers", OptionList)
        options.clear_options()
        options.add_options([Option(Text(inert(c.name)), id=str(c.id)) for c in shown])
        if shown:
            ids = [c.id for c in shown]
            options.highlighted = ids.index(keep) if keep in ids else 0
        self._show_callers()

    def _show_callers(self) -> None:
        typed = self.query_one("#new-caller", Input).value
        customer = self._customer()
        own = [c for c in self.contacts if customer and c.customer == customer.name]
        found = [c for c in own if matches(c, typed)]
        if typed.strip():
            found += [c for c in self.contacts if c not in own and matches(c, typed)]
        options = self.query_one("#new-callers", OptionList)
        options.clear_options()
        if not typed.strip():
            options.add_option(Option(Text("(no contact named)", style="dim"), id=""))
        for contact in found[:20]:
            options.add_option(Option(self._label(contact, customer), id=str(contact.id)))
        if typed.strip():
            label = Text(f"+ add “{inert(typed.strip())[:40]}” as a new contact", style="bold")
            options.add_option(Option(label, id=NEW))
        options.highlighted = 0
        self._show_new_fields()

    @staticmethod
    def _label(contact: ContactView, customer: Customer | None) -> Text:
        text = Text(inert(contact.name), style="bold")
        if contact.designated_for_emergencies:
            text.append(" ★ ")
        for part in (contact.phone, contact.email):
            if part:
                text.append(f"  {inert(part)}")
        if customer is None or contact.customer != customer.name:
            text.append(f"  · {inert(contact.customer)}", style="italic")
        return text

    def _caller_key(self) -> str | None:
        options = self.query_one("#new-callers", OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def _show_new_fields(self) -> None:
        self.query_one("#new-contact-fields").display = self._caller_key() == NEW

    @on(Input.Changed, "#new-customer")
    def _customer_typed(self, event: Input.Changed) -> None:
        self._show_customers(event.value)

    @on(Input.Changed, "#new-caller")
    def _caller_typed(self) -> None:
        self._show_callers()

    def on_key(self, event: events.Key) -> None:
        # Arrows move in the list under the field while the field keeps the focus.
        focused = self.focused
        lists = {"new-customer": "#new-customers", "new-caller": "#new-callers"}
        if event.key not in ("down", "up") or focused is None or focused.id not in lists:
            return
        options = self.query_one(lists[focused.id], OptionList)
        options.action_cursor_down() if event.key == "down" else options.action_cursor_up()
        if focused.id == "new-customer":
            self._show_callers()
        else:
            self._show_new_fields()
        event.stop()

    # -- the answer -----------------------------------------------------------------------

    def _error(self, text: str, field: str) -> None:
        self.query_one("#new-error", Static).update(Text(inert(text)[:200]))
        self.query_one(field).focus()

    @on(Input.Submitted)
    def _submit(self) -> None:
        customer = self._customer()
        if customer is None:
            typed = self.query_one("#new-customer", Input).value.strip()
            self._error(f"Customer: no customer matches “{typed}”", "#new-customer")
            return
        key = self._caller_key()
        contact = next((c for c in self.contacts if str(c.id) == key), None)
        if contact is not None and contact.customer != customer.name:
            # A contact of another customer, found by phone or e-mail: their customer it is.
            customer = next((c for c in self.customers if c.name == contact.customer), customer)
        caller = None
        if key == NEW:
            caller = NewCaller(
                self.query_one("#new-caller", Input).value.strip(),
                self.query_one("#new-phone", Input).value.strip() or None,
                self.query_one("#new-email", Input).value.strip() or None,
            )
        try:
            received = parse_recent(
                self.query_one("#new-received", Input).value, self.zone, self.now
            )
        except LocalTimeError as exc:
            self._error(f"Received: {exc}", "#new-received")
            return
        summary = self.query_one("#new-summary", Input).value.strip()
        if not summary:
            self._error("Summary: say what is wrong", "#new-summary")
            return
        pressed = self.query_one("#new-channel", RadioSet).pressed_index
        self.dismiss(
            NewRequest(
                customer.id,
                customer.name,
                contact.id if contact is not None else None,
                caller,
                self.channels[max(pressed, 0)],
                received,
                summary,
                self.query_one("#new-emergency", Checkbox).value,
                caller.name if caller else (contact.name if contact else None),
            )
        )

"""Command-palette entries (ctrl+p): jump to a ticket, who is on call, reports, the keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from console.ui.app import SwitchboardApp

NUMBER = re.compile(r"\d+")


class SwitchboardCommands(Provider):
    """The console's own commands; "jump to ticket N" appears when the query has a number."""

    @property
    def _app(self) -> SwitchboardApp:
        from console.ui.app import SwitchboardApp  # the app imports this module

        app = self.app
        assert isinstance(app, SwitchboardApp)  # the only app that lists this provider
        return app

    def _static(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self._app
        return [
            ("Show on call", app.action_show_on_call, "Who is on call now, and next"),
            ("Pause or resume live updates", app.action_toggle_pause, "Freeze the screen (p)"),
            ("Refresh and re-sort", app.action_refresh, "Re-read everything (ctrl+r)"),
            (
                "Next quick filter",
                app.action_quick_filter,
                "all / mine / breached / emergency / unassigned / after hours / triage (f)",
            ),
            (
                "Reports",
                app.action_reports,
                "Billing, response times and coverage ahead (R)",
            ),
            (
                "Acknowledge page",
                partial(app.action_act, "ack_page"),
                "Acknowledge the page of the emergency under the cursor (A)",
            ),
            (
                "Acknowledge handoff",
                partial(app.action_act, "ack_handoff"),
                "Acknowledge the oldest open shift handoff page (H)",
            ),
            (
                "Jump to ticket…",
                app.desk_screen.queue.action_filter,
                "Type its number here (Jump to ticket N), or in the queue's filter (/)",
            ),
            ("Help: keys", app.action_help, "Every key and symbol (?)"),
        ]

    async def discover(self) -> Hits:
        for name, callback, help_text in self._static():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        if match := NUMBER.search(query):
            number = int(match.group())
            yield Hit(
                1.0,
                f"Jump to ticket {number}",
                partial(self._app.jump_to, number),
                help="Put the cursor on the request, or open it if it is not in the queue",
            )
        matcher = self.matcher(query)
        for name, callback, help_text in self._static():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)

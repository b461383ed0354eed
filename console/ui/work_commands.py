"""Command-palette entries (ctrl+p) for the work keys (issue 18): each runs the same
action as its key, which says in one line why not when it does not apply."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from console.ui.app import SwitchboardApp

#: (name in the palette, action, help).
ENTRIES = [
    ("Log a new request or call", "new_request", "Customer, caller, channel, summary (N)"),
    ("Respond to the request", "respond", "Reply by mail, or record when a call was answered (o)"),
    ("Add a note to the request", "note", "For the desk only; kept in the history (i)"),
    ("Log work on the request", "log_work", "Minutes, or the start time HH:MM (w)"),
    ("Start or stop the work timer", "timer", "Stopping logs the work (W)"),
    ("Resolve the request", "resolve", "Close it; its escalations close with it (z)"),
    ("Reopen the request", "reopen", "A resolved request goes back in the queue (Z)"),
]


class WorkCommands(Provider):
    """The work keys, on the request under the cursor or on the detail screen."""

    @property
    def _app(self) -> SwitchboardApp:
        from console.ui.app import SwitchboardApp  # the app imports this module

        app = self.app
        assert isinstance(app, SwitchboardApp)  # the only app that lists this provider
        return app

    async def discover(self) -> Hits:
        for name, action, help_text in ENTRIES:
            yield DiscoveryHit(name, partial(self._app.action_act, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in ENTRIES:
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self._app.action_act, action),
                    help=help_text,
                )

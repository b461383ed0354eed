"""The top line: desk state, desk clock, connection, who is signed in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.widgets import Static

from console.domain.calendar import DeskCalendar
from console.store.feed import FeedState, FeedStatus
from console.ui.format import desk_banner, zone_label


def connection_text(state: FeedState, now: datetime, calendar: DeskCalendar) -> tuple[str, str]:
    """The connection label and its style: `LIVE`, `RECONNECTING 12s`, `OFFLINE - data as of`."""
    if state.status is FeedStatus.LIVE:
        return "● LIVE", "bold green"
    if state.status is FeedStatus.POLLING:
        return "● POLLING", "bold green"
    if state.status is FeedStatus.ERROR:
        return f"✖ ERROR {state.reason or ''} · ctrl+r reloads", "bold reverse red"
    if state.status is FeedStatus.RECONNECTING:
        seconds = int((now - state.since).total_seconds()) if state.since else 0
        return f"◌ RECONNECTING {seconds}s", "bold yellow"
    fresh = state.fresh_at.astimezone(calendar.zone).strftime("%H:%M:%S") if state.fresh_at else "-"
    return f"✖ OFFLINE - data as of {fresh}", "bold reverse red"


class StatusBar(Static):
    """Redrawn each second from the clock and the last known feed state."""

    def __init__(self, calendar: DeskCalendar, user: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calendar = calendar
        self.user = user
        self.feed_state = FeedState(FeedStatus.RECONNECTING)
        self.paused = False
        #: Changes held back from the panes while paused.
        self.held = 0
        #: Requests in triage (unknown senders) and mail held in quarantine (issue 15).
        self.triage = 0
        self.intake_held = 0
        self.connecting = True

    def show(self, now: datetime) -> None:
        zone = self.calendar.zone
        status = self.calendar.status(now)
        text = Text(" SWITCHBOARD ", style="bold reverse")
        text.append("  ")
        banner = desk_banner(status, zone, now)
        text.append(
            f" {banner} ", style="bold reverse green" if status.open else "bold reverse yellow"
        )
        text.append(f"  {now.astimezone(zone):%a %b %d %H:%M:%S} {zone_label(zone)}  ")
        if self.connecting:
            text.append("◌ CONNECTING", style="bold yellow")
        else:
            label, style = connection_text(self.feed_state, now, self.calendar)
            text.append(label, style=style)
        if self.paused:
            held = f" · {self.held} held" if self.held else ""
            text.append(f"  ⏸ PAUSED{held} (p)", style="bold reverse yellow")
        if self.triage:
            text.append(f"  triage {self.triage} (f)", style="bold yellow")
        if self.intake_held:
            text.append(f"  intake held {self.intake_held}", style="bold red")
        text.append(f"  {self.user}", style="bold")
        self.update(text, layout=False)  # one line, always: no layout pass each second

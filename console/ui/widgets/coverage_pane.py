"""Coverage at a glance: who is on duty and free, who is on call, and the gaps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from console.domain.calendar import DeskCalendar
from console.domain.coverage import Coverage, coverage
from console.store.board_rows import FollowUp, QueueRow, Roster
from console.ui.format import inert, short_day_time
from console.ui.model import DeskState

SOON = timedelta(hours=24)


def coverage_text(
    view: Coverage, zone: ZoneInfo, now: datetime, uncovered: Sequence[QueueRow] = ()
) -> Text:
    """The coverage pane's lines; alarms are words, not only colours. `uncovered` are
    the emergencies waiting in an on-call gap: they go on top, in red."""
    text = Text()
    if uncovered:
        text.append(" EMERGENCY IN ON-CALL GAP ", style="bold reverse red")
        text.append("\n")
        for row in uncovered:
            text.append(
                f"  #{row.id} {inert(row.customer)} since "
                f"{short_day_time(row.received_at, zone, now)}, nobody to take it\n",
                style="bold red",
            )
    duty = view.duty
    text.append(f"On duty {len(duty.on_duty)}: ", style="bold")
    text.append(f"{duty.free} free", style="green" if duty.free else "")
    text.append(f" · {duty.on_a_call} on a call · {duty.away} away\n")
    if duty.all_lines_busy:
        text.append(" ALL LINES BUSY ", style="bold reverse red")
        text.append(" calls go to voicemail\n")
    elif duty.unstaffed:
        text.append(" NOBODY ON DUTY ", style="bold reverse red")
        text.append("\n")
    if duty.on_duty:
        names = ", ".join(
            f"{d.staff}{'' if d.presence.value == 'available' else ' (' + d.presence.value + ')'}"
            for d in duty.on_duty
        )
        text.append(f"  {names}\n", style="dim")
    text.append("On call: ", style="bold")
    if view.on_call_now:
        first = view.on_call_now[0]
        text.append(f"{first.staff} until {short_day_time(first.end, zone, now)}")
    elif view.desk.open:
        # Open hours are never a gap (the desk itself answers): no alarm to learn to ignore.
        text.append("nobody (desk open)", style="dim")
    else:
        text.append("NOBODY", style="bold red")
    if view.on_call_next is not None:
        nxt = view.on_call_next
        text.append(f" · next {nxt.staff} {short_day_time(nxt.start, zone, now)}")
    text.append("\n")
    if not view.gaps:
        text.append("No on-call gaps in the next 7 days\n", style="green")
    for gap in view.gaps:
        soon = gap.start - now < SOON
        label = "GAP " if soon else "gap "
        text.append(
            f"{label}{short_day_time(gap.start, zone, now)} → {short_day_time(gap.end, zone, now)}"
            f" ({_hours(gap.length)})\n",
            style="bold red" if soon else "yellow",
        )
    return text


def followups_text(followups: tuple[FollowUp, ...], today: date) -> Text:
    text = Text()
    if not followups:
        text.append("No check-ins due this week", style="dim")
        return text
    for item in followups:
        days = (item.due - today).days
        if days < 0:
            when, style = f"{-days}d overdue", "bold red"
        elif days == 0:
            when, style = "due today", "bold yellow"
        else:
            when, style = f"in {days}d", ""
        text.append(f"{item.due:%b %d} ", style="dim")
        text.append(f"{when:<11}", style=style)
        text.append(f" {item.customer} ({item.liaison or '-'})\n")
    return text


#: What each widget last showed (weakly: a closed dialog's widget is not kept for it).
_LAST_TEXT: WeakKeyDictionary[Static, Text] = WeakKeyDictionary()


def show_if_changed(widget: Static, text: Text) -> None:
    """Update `widget` only when its text changed; lay out again only if its height did."""
    last = _LAST_TEXT.get(widget)
    if last is not None and last == text:
        return
    relayout = last is None or len(last.plain.splitlines()) != len(text.plain.splitlines())
    _LAST_TEXT[widget] = text
    widget.update(text, layout=relayout)


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f}h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f}m"


class CoveragePane(Static):
    """Recomputed from the roster in memory; never queries."""

    def __init__(
        self, desk: DeskState, calendar: DeskCalendar, horizon_days: int, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.desk = desk
        self.calendar = calendar
        self.horizon = timedelta(days=horizon_days)
        self.border_title = "Coverage"

    @property
    def roster(self) -> Roster:
        return self.desk.roster

    def view(self, now: datetime) -> Coverage:
        return coverage(self.calendar, self.roster.shifts, self.roster.presence, now, self.horizon)

    def show(self, now: datetime, uncovered: Sequence[QueueRow] = ()) -> None:
        text = coverage_text(self.view(now), self.calendar.zone, now, uncovered)
        show_if_changed(self, text)
        self.set_class(bool(uncovered), "alarm")

    def on_call_summary(self, now: datetime) -> str:
        view, zone = self.view(now), self.calendar.zone
        current = "nobody"
        if view.on_call_now:
            first = view.on_call_now[0]
            current = f"{first.staff} until {short_day_time(first.end, zone, now)}"
        upcoming = view.on_call_next
        later = (
            f"; next {upcoming.staff} from {short_day_time(upcoming.start, zone, now)}"
            if upcoming
            else ""
        )
        return f"On call now: {current}{later}"


class FollowUpsPane(Static):
    def __init__(self, desk: DeskState, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.desk = desk
        self.border_title = "Follow-ups"

    def show(self, today: date) -> None:
        show_if_changed(self, followups_text(self.desk.followups, today))

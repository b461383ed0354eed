"""The strip on top of the queue: what the after-hours rules ask of the desk right now.

Five kinds of line, most urgent first, each a word as well as a colour:
- NOBODY ON CALL: an emergency is waiting in an on-call gap, and nobody can be given it;
- PAGE UNANSWERED: an emergency's page is past its acknowledgement timeout (issue 16);
- HANDOFF: a shift handoff page nobody has acknowledged yet, to everyone (`H`);
- UNVERIFIED: an emergency from a contact who is not designated, with the customer's
  designated contacts to call back, and the keys that settle it;
- NOTICE: requests that need a billing notice before any billable work.
The strip is hidden when there is nothing to say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from console.store.board_rows import CallBack, HandoffRow, QueueRow
from console.ui.format import inert, short_day_time
from console.ui.widgets.coverage_pane import show_if_changed

#: Lines of one kind before the rest is summed up as "and N more".
PER_KIND = 3


def alerts_text(
    uncovered: Sequence[QueueRow],
    unanswered: Sequence[QueueRow],
    unverified: Sequence[QueueRow],
    needs_notice: Sequence[QueueRow],
    designated: Mapping[str, Sequence[CallBack]],
    zone: ZoneInfo,
    now: datetime,
    handoffs: Sequence[HandoffRow] = (),
) -> Text:
    """The strip's lines; rows come oldest first."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for row in uncovered[:PER_KIND]:
        text.append(" NOBODY ON CALL ", style="bold reverse red")
        text.append(
            f" emergency #{row.id} {inert(row.customer)} since "
            f"{short_day_time(row.received_at, zone, now)} is unassigned: "
            "give it to someone (a)\n",
            style="bold red",
        )
    _more(text, len(uncovered))
    for row in unanswered[:PER_KIND]:
        text.append(" PAGE UNANSWERED ", style="bold reverse red")
        who = f" {inert(row.page_by)}" if row.page_by else ""
        since = short_day_time(row.page_at, zone, now) if row.page_at else "?"
        step = f" (step {row.page_step})" if row.page_step else ""
        text.append(
            f" emergency #{row.id} {inert(row.customer)} paged{who} {since}{step}, "
            "no acknowledgement",
            style="bold red",
        )
        text.append("  A acknowledge\n", style="dim")
    _more(text, len(unanswered))
    for handoff in handoffs[:PER_KIND]:
        text.append(" HANDOFF ", style="bold reverse magenta")
        text.append(f" {handoff_line(handoff)}", style="bold")
        text.append(" · H acknowledges\n", style="dim")
    _more(text, len(handoffs))
    for row in unverified[:PER_KIND]:
        text.append(" UNVERIFIED ", style="bold reverse yellow")
        caller = f" from {inert(row.contact)}" if row.contact else ""
        people = designated.get(row.customer, ())
        call = (
            "call back " + ", ".join(inert(str(p)) for p in people)
            if people
            else "no designated contact on file"
        )
        text.append(f" #{row.id} {inert(row.customer)}{caller}: {call}")
        text.append("  v verify · d downgrade\n", style="dim")
    _more(text, len(unverified))
    if needs_notice:
        text.append(" NOTICE ", style="bold reverse")
        shown = ", ".join(f"#{r.id} {inert(r.customer)}" for r in needs_notice[:PER_KIND])
        more = f" and {len(needs_notice) - PER_KIND} more" if len(needs_notice) > PER_KIND else ""
        count = len(needs_notice)
        text.append(
            f" {count} need{'s' if count == 1 else ''} a billing notice before billable work: "
            f"{shown}{more}"
        )
        text.append("  n notice given · x declined\n", style="dim")
    text.rstrip()
    return text


def _counted(count: int | None, one: str, many: str) -> str | None:
    return None if count is None else f"{count} {one if count == 1 else many}"


def handoff_line(handoff: HandoffRow) -> str:
    """`on call abe → dora: 2 emergencies · 1 notice · 0 gaps`, naming who was paged
    when it is not (only) the incoming person."""
    incoming = inert(handoff.incoming) if handoff.incoming else "NOBODY ON CALL"
    paged = [inert(h) for h in handoff.paged]
    if paged and paged != [incoming]:
        incoming += f" (paged {', '.join(paged)})"
    counts = [
        c
        for c in (
            _counted(handoff.emergencies, "emergency", "emergencies"),
            _counted(handoff.notices, "notice", "notices"),
            _counted(handoff.gaps, "gap", "gaps"),
        )
        if c is not None
    ]
    said = f": {' · '.join(counts)}" if counts else ""
    return f"on call {inert(handoff.outgoing)} → {incoming}{said}"


def _more(text: Text, count: int) -> None:
    if count > PER_KIND:
        text.append(f"   and {count - PER_KIND} more (f: after hours)\n", style="dim")


class AlertStrip(Static):
    """Shown only while it has something to say."""

    def show_text(self, text: Text) -> None:
        shown = bool(text.plain)
        if self.display != shown:
            self.display = shown
        if shown:
            show_if_changed(self, text)

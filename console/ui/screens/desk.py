"""The main screen: the desk's panes as views of the desk model. It draws what a load, a
batch, a resume or a clock tick changed, says what the person points at (`Selection`),
moves between the panes, follows the cursor for the footer and opens a request's detail.

The app owns the services (board, live link, writer, clock, keymap) and the model, and
handles the messages that change it; it installs this screen as its default one, so the
screen is `screen_stack[0]` and the keys' actions on the app reach it as `app.desk_screen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from console.domain.escalation import Destination
from console.store.board_rows import BoardChanges
from console.store.feed import FeedState, FeedStatus
from console.ui.model import Changed, Pane, Selection
from console.ui.model.glance import DEFER_ABOVE, GlanceCache
from console.ui.widgets.coverage_pane import CoveragePane, FollowUpsPane
from console.ui.widgets.escalations import EscalationPane
from console.ui.widgets.glance import GlanceBar
from console.ui.widgets.grid import VirtualGrid
from console.ui.widgets.queue_pane import QueuePane
from console.ui.widgets.status_bar import StatusBar
from console.ui.work_target import open_detail

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from console.domain.calendar import DeskCalendar
    from console.domain.sla import SlaPolicy
    from console.ui.app import SwitchboardApp

#: The panes in the order of their keys (1-4) and of tab.
PANES = tuple(Pane)
#: Narrower than this, the side column and the escalation panes fold away.
NARROW = 140
#: Below this many columns the side column gives way (the glance line keeps the duty counts).
TINY = 100


class DeskScreen(Screen[None]):
    def __init__(self, console: SwitchboardApp) -> None:
        super().__init__()
        self.glance = GlanceCache()
        #: The app, typed: its services and the desk model.
        self.console = console
        self._desk_keys: tuple[bool, ...] = ()

    def compose(self) -> ComposeResult:
        console = self.console
        yield StatusBar(console.calendar, console.desk.identity.label, id="status-bar")
        yield GlanceBar(id="glance")
        with Horizontal(id="main"):
            yield QueuePane(console.desk, console.sla, console.clock, id="queue")
            with Vertical(id="side"):
                days = console.settings.coverage.gap_horizon_days
                yield CoveragePane(console.desk, console.calendar, days, id="coverage")
                yield FollowUpsPane(console.desk, id="followups")
        with Horizontal(id="escalations"):
            for destination in Destination:
                yield EscalationPane(
                    destination, console.desk, console.clock, id=f"pane-{destination.value}"
                )
        yield Footer(compact=True)  # issue 18: room for the work keys

    def on_mount(self) -> None:
        self.fit(self.console.size.width)
        self.queue.grid.focus()
        # A default screen composes after the app's own mount: the clock and the live
        # link start once the panes they draw on exist.
        self.console.start()

    def fit(self, width: int) -> None:
        """Fold the side column away on a narrow terminal (even while another screen is on
        top: the app passes the new width, as `App.size` still reads the old one)."""
        self.set_class(width < NARROW, "-narrow")
        self.set_class(width < TINY, "-tiny")

    @property
    def queue(self) -> QueuePane:
        return self.query_one(QueuePane)

    # -- what is pointed at ---------------------------------------------------------------

    def grids(self) -> dict[Pane, VirtualGrid]:
        grids = {Pane.QUEUE: self.queue.grid}
        for pane in self.query(EscalationPane):
            grids[pane.pane] = pane.grid
        return grids

    def focused_pane(self) -> Pane | None:
        # The app's focus, not this screen's: with the detail or a dialog on top, nothing
        # here is pointed at.
        for pane, grid in self.grids().items():
            if grid is self.console.focused:
                return pane
        return None

    def pane_of(self, grid: VirtualGrid) -> Pane | None:
        return next((p for p, g in self.grids().items() if g is grid), None)

    def selection(self) -> Selection[Any]:
        pane = self.focused_pane()
        if pane is None:
            return Selection(None)
        grid = self.grids()[pane]
        return Selection(pane, tuple(grid.keys), grid.cursor_key, frozenset(grid.marked))

    def toggle_mark(self) -> None:
        pane = self.focused_pane()
        grid = self.grids()[pane] if pane is not None else None
        if grid is not None and grid.cursor_key is not None:
            grid.toggle_mark(grid.cursor_key)
            grid.action_cursor_down()

    def clear_marks(self, pane: Pane) -> None:
        self.grids()[pane].clear_marks()

    def focus_pane(self, step: int = 0, index: int | None = None) -> None:
        """Focus pane `index`, or the one `step` panes from the focused one."""
        if index is None:
            pane = self.focused_pane()
            index = (PANES.index(pane) if pane is not None else 0) + step
        self.grids()[PANES[index % len(PANES)]].focus()

    @on(VirtualGrid.Moved, "#queue-grid")
    def follow_cursor(self) -> None:
        """The after-hours keys show in the footer only for a row that needs them."""
        if not self.console.showing():  # a late message while closing: no screen to ask
            return
        applying = self.console.after_hours.desk_keys_applying()
        if applying != self._desk_keys:
            self._desk_keys = applying
            self.console.refresh_bindings()

    # -- drawing --------------------------------------------------------------------------

    def loaded(self, changed: Changed) -> None:
        """Redraw everything after the whole board was (re)loaded into the model."""
        self.queue.load()
        for pane in self.query(EscalationPane):
            pane.show()
        self.glance.invalidate()
        self.show_changed(changed, first=True)

    def changed(self, changes: BoardChanges, changed: Changed) -> None:
        """Redraw what a batch changed; a paused desk holds the queue's rows."""
        if not self.console.desk.paused:
            self.queue.apply(changes.requests, changed)
        if changes.requests or changes.requests_gone:
            self.glance.invalidate()
        self.show_changed(changed)

    def resumed(self, changed: Changed) -> None:
        """Redraw the rows held while paused."""
        rows = self.console.desk.queue.rows
        shown = {i: rows[i] for i in changed.queue_rows if i in rows}
        self.queue.apply(shown, changed)
        self.show_changed(changed)

    def show_changed(self, changed: Changed, *, first: bool = False) -> None:
        """Redraw what a load, a batch or a resume changed (the queue's rows excepted)."""
        console, desk = self.console, self.console.desk
        if changed.escalations:
            for pane in self.query(EscalationPane):
                pane.show()
        bar = self.query_one(StatusBar)
        if changed.identity:
            bar.user = desk.identity.label
            console.refresh_bindings()
        if changed.alarms:
            self.queue.flash(changed.alarms)
        counts = (desk.held, desk.queue.triage_count, desk.intake_held)
        if (bar.held, bar.triage, bar.intake_held) != counts:
            bar.held, bar.triage, bar.intake_held = counts
            bar.show(console.clock.now())
        # Alerts come from the latest rows: they change even while the panes are paused.
        # Otherwise the clock's tick keeps them current.
        if first or changed.side or changed.alerts or changed.identity:
            self.show_side(fresh=first)
        self.follow_cursor()

    def show_paused(self, paused: bool) -> None:
        bar = self.query_one(StatusBar)
        bar.paused = paused
        bar.show(self.console.clock.now())

    def show_policy(self, calendar: DeskCalendar, sla: SlaPolicy) -> None:
        """Every pane that computes from the calendar or the targets gets the new ones."""
        self.query_one(StatusBar).calendar = calendar
        self.queue.sla = sla
        self.query_one(CoveragePane).calendar = calendar

    def show_feed(self, state: FeedState) -> None:
        bar = self.query_one(StatusBar)
        bar.connecting = False
        bar.feed_state = state
        stale = state.status in (FeedStatus.RECONNECTING, FeedStatus.OFFLINE, FeedStatus.ERROR)
        self.query_one("#main").set_class(stale, "stale")
        self.query_one("#escalations").set_class(stale, "stale")
        bar.show(self.console.clock.now())

    def show_side(self, *, fresh: bool = True) -> None:
        """The side panes, the alert strip and the glance line; `fresh=False` (a batch of
        changes) leaves a large desk's glance line to the next tick."""
        console = self.console
        now = console.clock.now()
        alerts = console.desk.alerts(console.calendar, now)
        self.query_one(CoveragePane).show(now, alerts.uncovered)
        self.queue.show_alerts(alerts, console.desk.designated)
        self.query_one(FollowUpsPane).show(console.calendar.local_date(now))
        if fresh or not self.glance.stale or len(console.desk.requests) <= DEFER_ABOVE:
            self.query_one(GlanceBar).show(self.glance.glance(console.desk, console.calendar, now))

    def tick(self, resort: bool) -> list[int]:
        """Redraw what the clock moves; re-sort if asked. Returns new breaches (paused or
        not: pausing freezes the panes, not the alarms)."""
        console = self.console
        now = console.clock.now()
        queue = self.queue
        unsorted = console.desk.queue.unsorted
        self.query_one(StatusBar).show(now)
        if resort and not console.desk.paused and queue.model.unsorted:
            queue.resort()
        breaches = console.desk.new_breaches(now) if console.desk.loaded else []
        queue.flash(breaches)
        queue.tick()
        for pane in self.query(EscalationPane):
            pane.grid.refresh()
        self.show_side()
        if unsorted and not console.desk.queue.unsorted:
            self.follow_cursor()
        return breaches

    # -- the queue's keys -----------------------------------------------------------------

    def sort(self) -> None:
        self.queue.cycle_sort()
        self.follow_cursor()

    def sort_direction(self) -> None:
        self.queue.flip_direction()
        self.follow_cursor()

    def quick_filter(self) -> None:
        self.queue.cycle_quick()
        self.follow_cursor()

    def on_call_summary(self) -> str:
        return self.query_one(CoveragePane).on_call_summary(self.console.clock.now())

    # -- a request in full ----------------------------------------------------------------

    @on(VirtualGrid.Selected)
    def _open_detail(self, message: VirtualGrid.Selected) -> None:
        """Enter on a row: the request's detail (an escalation's request)."""
        desk = self.console.desk
        if self.pane_of(message.grid) is Pane.QUEUE:
            request = desk.request(message.key)
            request_id = request.id if request is not None else None
        else:
            escalation = desk.escalation(message.key)
            request_id = escalation.request_id if escalation is not None else None
        if request_id is not None:
            self.open_request(request_id)

    def open_request(self, request_id: int) -> None:
        # Read on a worker, now and again after a write or a change to it (issue 18).
        self.console.push_screen(open_detail(self.console, request_id))

    def jump_to(self, request_id: int) -> None:
        """Cursor on the request in the queue, or its detail if it is not shown there."""
        queue = self.queue
        if queue.grid.move_to(request_id):
            queue.grid.focus()
        else:
            self.open_request(request_id)

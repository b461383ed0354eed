"""The main screen's panes as views of the desk model: what to redraw after a load, a
batch, a resume or a clock tick, and what the person points at (`Selection`). The app
owns the services and the messages; this owns the drawing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Footer

from console.domain.escalation import Destination
from console.store.feed import FeedState, FeedStatus
from console.ui.model import Changed, Pane, Selection
from console.ui.model.glance import desk_glance
from console.ui.screens.detail import DetailScreen
from console.ui.widgets.coverage_pane import CoveragePane, FollowUpsPane
from console.ui.widgets.escalations import EscalationPane
from console.ui.widgets.glance import GlanceBar
from console.ui.widgets.grid import VirtualGrid
from console.ui.widgets.queue_pane import QueuePane
from console.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.screen import Screen

    from console.ui.app import SwitchboardApp

#: The panes in the order of their keys (1-4) and of tab.
PANES = tuple(Pane)


class DeskView:
    def __init__(self, app: SwitchboardApp) -> None:
        self.app = app

    def compose(self) -> Iterator[Widget]:
        app = self.app
        yield StatusBar(app.calendar, app.desk.identity.label, id="status-bar")
        yield GlanceBar(id="glance")
        with Horizontal(id="main"):
            yield QueuePane(app.desk, app.sla, app.clock, id="queue")
            with Vertical(id="side"):
                days = app.settings.coverage.gap_horizon_days
                yield CoveragePane(app.desk, app.calendar, days, id="coverage")
                yield FollowUpsPane(app.desk, id="followups")
        with Horizontal(id="escalations"):
            for destination in Destination:
                yield EscalationPane(
                    destination, app.desk, app.clock, id=f"pane-{destination.value}"
                )
        yield Footer()

    @property
    def main(self) -> Screen[Any]:
        """The main screen, even while a dialog or the detail is on top."""
        return self.app.screen_stack[0]

    @property
    def queue(self) -> QueuePane:
        return self.main.query_one(QueuePane)

    # -- what is pointed at ---------------------------------------------------------------

    def grids(self) -> dict[Pane, VirtualGrid]:
        grids = {Pane.QUEUE: self.queue.grid}
        for pane in self.main.query(EscalationPane):
            grids[pane.pane] = pane.grid
        return grids

    def focused_pane(self) -> Pane | None:
        for pane, grid in self.grids().items():
            if grid is self.app.focused:
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

    def focus(self, step: int = 0, index: int | None = None) -> None:
        """Focus pane `index`, or the one `step` panes from the focused one."""
        if index is None:
            pane = self.focused_pane()
            index = (PANES.index(pane) if pane is not None else 0) + step
        self.grids()[PANES[index % len(PANES)]].focus()

    # -- drawing --------------------------------------------------------------------------

    def show_changed(self, changed: Changed) -> None:
        """Redraw what a load, a batch or a resume changed (the queue's rows excepted)."""
        app, desk = self.app, self.app.desk
        if changed.escalations:
            for pane in self.main.query(EscalationPane):
                pane.show()
        bar = self.main.query_one(StatusBar)
        if changed.identity:
            bar.user = desk.identity.label
            app.refresh_bindings()
        if changed.alarms:
            self.queue.flash(changed.alarms)
        counts = (desk.held, desk.queue.triage_count, desk.intake_held)
        if (bar.held, bar.triage, bar.intake_held) != counts:
            bar.held, bar.triage, bar.intake_held = counts
            bar.show(app.clock.now())
        # Alerts come from the latest rows: they change even while the panes are paused.
        # Otherwise the clock's tick keeps them current.
        if changed.side or changed.alerts or changed.identity:
            self.show_side()

    def show_feed(self, state: FeedState) -> None:
        bar = self.main.query_one(StatusBar)
        bar.connecting = False
        bar.feed_state = state
        stale = state.status in (FeedStatus.RECONNECTING, FeedStatus.OFFLINE, FeedStatus.ERROR)
        self.main.query_one("#main").set_class(stale, "stale")
        self.main.query_one("#escalations").set_class(stale, "stale")
        bar.show(self.app.clock.now())

    def show_side(self) -> None:
        app = self.app
        now = app.clock.now()
        alerts = app.desk.alerts(app.calendar, now)
        self.main.query_one(CoveragePane).show(now, alerts.uncovered)
        self.queue.show_alerts(alerts, app.desk.designated)
        self.main.query_one(FollowUpsPane).show(app.calendar.local_date(now))
        self.main.query_one(GlanceBar).show(desk_glance(app.desk, app.calendar, now))

    def tick(self, resort: bool) -> list[int]:
        """Redraw what the clock moves; re-sort if asked. Returns new breaches (paused or
        not: pausing freezes the panes, not the alarms)."""
        app = self.app
        now = app.clock.now()
        queue = self.queue
        self.main.query_one(StatusBar).show(now)
        if resort and not app.desk.paused and queue.model.unsorted:
            queue.resort()
        breaches = app.desk.new_breaches(now) if app.desk.loaded else []
        queue.flash(breaches)
        queue.tick()
        for pane in self.main.query(EscalationPane):
            pane.grid.refresh()
        self.show_side()
        return breaches

    # -- a request in full ----------------------------------------------------------------

    def open_detail(self, grid: VirtualGrid, key: object) -> None:
        """Enter on a row: the request's detail (an escalation's request)."""
        if self.pane_of(grid) is Pane.QUEUE:
            request = self.app.desk.request(key)
            request_id = request.id if request is not None else None
        else:
            escalation = self.app.desk.escalation(key)
            request_id = escalation.request_id if escalation is not None else None
        if request_id is not None:
            self.open_request(request_id)

    def open_request(self, request_id: int) -> None:
        app = self.app
        screen = DetailScreen(request_id, app.sla)
        app.push_screen(screen)

        def load() -> None:  # on a worker: the detail is read once, on demand
            detail = app.board.detail(request_id)
            app.call_from_thread(screen.show, detail, app.clock.now())

        app.run_worker(load, thread=True, group="detail", exit_on_error=False)

    def jump_to(self, request_id: int) -> None:
        queue = self.queue
        if queue.grid.move_to(request_id):
            queue.grid.focus()
        else:
            self.open_request(request_id)

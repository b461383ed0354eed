"""The dispatcher console: one screen that answers "what needs me now?"."""

from __future__ import annotations

import gc
import sys
from datetime import timedelta
from typing import Any

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from console.clock import Clock
from console.domain.escalation import Destination
from console.settings import Settings
from console.store.board import Board
from console.store.board_rows import BoardState
from console.store.commands import Rules
from console.store.db import Database
from console.store.feed import Feed, FeedStatus
from console.ui.commands import SwitchboardCommands
from console.ui.desk_actions import DESK_BINDINGS, DeskActions
from console.ui.keymap import check_keymap
from console.ui.lead_actions import LEAD_BINDINGS, LeadActions
from console.ui.live import BoardChanged, BoardLoaded, FeedStateChanged, LiveLink, PolicyChanged
from console.ui.model import Changed, DeskState, Identity, Pane, Selection
from console.ui.screens.detail import DetailScreen
from console.ui.screens.dialogs import DIALOGS
from console.ui.screens.help import HelpScreen
from console.ui.screens.notice import NoticeScreen
from console.ui.screens.reports import ReportScreen
from console.ui.textual_fixes import check_fixes, release_dead_styles, release_dead_watchers
from console.ui.widgets.coverage_pane import CoveragePane, FollowUpsPane
from console.ui.widgets.escalations import EscalationPane
from console.ui.widgets.grid import VirtualGrid
from console.ui.widgets.queue_pane import QueuePane
from console.ui.widgets.status_bar import StatusBar

#: Seconds a thread may hold the GIL before another gets a turn (Python's default: 0.005).
SWITCH_INTERVAL = 0.001
#: The panes in the order of their keys (1-4) and of tab.
PANES = tuple(Pane)

__all__ = ["Identity", "SwitchboardApp", "make_app"]


class SwitchboardApp(LeadActions, DeskActions, App[None]):
    CSS_PATH = "switchboard.tcss"
    TITLE = "Switchboard"
    COMMANDS = App.COMMANDS | {SwitchboardCommands}

    BINDINGS = [
        Binding("q", "quit", "Quit", id="switchboard.quit", tooltip="Leave the console"),
        Binding("question_mark", "help", "Help", id="switchboard.help", tooltip="Every key"),
        Binding("tab", "next_pane", "Next pane", show=False, id="switchboard.next-pane"),
        Binding(
            "shift+tab", "previous_pane", "Previous pane", show=False, id="switchboard.prev-pane"
        ),
        Binding("1", "pane(0)", "Queue", show=False, id="switchboard.pane-queue"),
        Binding("2", "pane(1)", "Customer Care", show=False, id="switchboard.pane-care"),
        Binding("3", "pane(2)", "Technical", show=False, id="switchboard.pane-technical"),
        Binding("4", "pane(3)", "Named person", show=False, id="switchboard.pane-person"),
        Binding("s", "sort", "Sort", id="switchboard.sort", tooltip="Next sort column"),
        Binding("S", "sort_direction", "Sort ↑↓", show=False, id="switchboard.sort-direction"),
        Binding("f", "quick_filter", "Quick filter", id="switchboard.quick-filter"),
        Binding(
            "p", "toggle_pause", "Pause", id="switchboard.pause", tooltip="Freeze live updates"
        ),
        Binding(
            "ctrl+r", "refresh", "Refresh", id="switchboard.refresh", tooltip="Re-read and re-sort"
        ),
        Binding(
            "R",
            "reports",
            "Reports",
            show=False,
            id="switchboard.reports",
            tooltip="Billing, response times and coverage ahead",
        ),
        *LEAD_BINDINGS,
        *DESK_BINDINGS,
    ]

    def __init__(
        self,
        settings: Settings,
        database: Database,
        clock: Clock,
        identity: Identity,
        feed: Feed | None = None,
    ) -> None:
        if settings.keymap:  # before anything opens: a bad keymap is one line, not a console
            check_keymap(settings.keymap, main_bindings(), other_bindings())
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.desk = DeskState(identity)
        with database.reading() as session:  # the desk policy in effect; the feed follows it
            self.rules = Rules.read(session)
        self.calendar = self.rules.calendar
        self.sla = self.rules.sla
        self.board = Board(database)
        self.feed = feed or Feed(
            database.engine.url,
            clock=clock,
            poll_interval=settings.feed.poll_interval,
            safety_interval=settings.feed.safety_interval,
            offline_after=settings.feed.offline_after,
        )
        self.link = LiveLink(self.board, self.feed, self.calendar, clock, self.post_message)
        # On the console's clock, so a frozen clock freezes the idle re-sort too.
        self._last_key = clock.now()
        self._own_timers: list[Timer] = []
        self._desk_keys: tuple[bool, ...] = ()
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))
        if not settings.console.animations:
            self.animation_level = "none"

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(self.calendar, self.desk.identity.label, id="status-bar")
        with Horizontal(id="main"):
            yield QueuePane(self.desk, self.sla, self.clock, id="queue")
            with Vertical(id="side"):
                yield CoveragePane(
                    self.desk, self.calendar, self.settings.coverage.gap_horizon_days, id="coverage"
                )
                yield FollowUpsPane(self.desk, id="followups")
        with Horizontal(id="escalations"):
            for destination in Destination:
                yield EscalationPane(
                    destination, self.desk, self.clock, id=f"pane-{destination.value}"
                )
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        # The event's size (App.size still reads the old one while this runs), on the main
        # screen even while another one is on top.
        self.screen_stack[0].set_class(event.size.width < 140, "-narrow")

    def on_mount(self) -> None:
        # Let the database threads in often: with the default 5 ms GIL slice a repaint
        # held a lead's write back by 50 ms and more (benchmarks/lead_action.py).
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.screen.set_class(self.size.width < 140, "-narrow")
        self.query_one("#queue-grid").focus()
        check_fixes()
        self._tick()
        self._own_timers = [
            self.set_interval(1.0, self._tick),
            # Their own timer: a work-around that breaks must not take the clock with it.
            self.set_interval(1.0, self._release_retained),
        ]
        self._run_link()

    @work(thread=True, exclusive=True, group="live", exit_on_error=False)
    def _run_link(self) -> None:
        self.link.run()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A worker's bug must be seen, not leave the screen quietly stale.
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"{type(error).__name__}: {error}", title="Internal error", severity="error"
            )

    async def action_quit(self) -> None:
        self._stop_timers()
        self.link.stop()
        self.exit()

    def on_unmount(self) -> None:
        self._stop_timers()
        self.link.stop()

    def _stop_timers(self) -> None:
        for timer in self._own_timers:
            timer.stop()

    # -- live data ------------------------------------------------------------------------

    @property
    def identity(self) -> Identity:
        return self.desk.identity

    @property
    def loaded(self) -> bool:
        return self.desk.loaded

    @property
    def paused(self) -> bool:
        return self.desk.paused

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        state: BoardState = message.state
        changed = self.desk.load(state, self.clock.now())
        with self.batch_update():
            self.query_one(QueuePane).load()
            for pane in self.query(EscalationPane):
                pane.show()
            self._show_changed(changed)
        self.call_after_refresh(_settle_heap)

    @on(PolicyChanged)
    def _policy_changed(self, message: PolicyChanged) -> None:
        # Every pane that computes from the calendar or the targets gets the new ones.
        self.rules = message.rules
        self.calendar, self.sla = self.rules.calendar, self.rules.sla
        if not self.screen_stack:  # closing down: nothing left to draw
            return
        main = self.screen_stack[0]  # even while a dialog or the detail is on top
        main.query_one(StatusBar).calendar = self.calendar
        main.query_one(QueuePane).sla = self.sla
        main.query_one(CoveragePane).calendar = self.calendar
        if self.screen is main:
            self._tick()

    @on(BoardChanged)
    def _changed(self, message: BoardChanged) -> None:
        changes = message.changes
        changed = self.desk.apply(
            changes, self.clock.now(), events=message.events, keep_order=self._navigating()
        )
        with self.batch_update():
            if not self.desk.paused:
                self.query_one(QueuePane).apply(changes.requests, changed)
            self._show_changed(changed)
        if changed.alarms:
            self._ring()

    def _show_changed(self, changed: Changed) -> None:
        """Redraw what a load, a batch or a resume changed (the queue itself excepted)."""
        if changed.escalations:
            for pane in self.query(EscalationPane):
                pane.show()
        if changed.identity:
            self.query_one(StatusBar).user = self.desk.identity.label
            self.refresh_bindings()
        if changed.alarms:
            self.query_one(QueuePane).flash(changed.alarms)
        bar = self.query_one(StatusBar)
        if bar.held != self.desk.held:
            bar.held = self.desk.held
            bar.show(self.clock.now())
        # Alerts come from the latest rows: they change even while the panes are paused.
        self._show_side()
        self._follow_cursor()

    @on(FeedStateChanged)
    def _feed_state(self, message: FeedStateChanged) -> None:
        bar = self.query_one(StatusBar)
        bar.connecting = False
        bar.feed_state = message.state
        stale = message.state.status in (
            FeedStatus.RECONNECTING,
            FeedStatus.OFFLINE,
            FeedStatus.ERROR,
        )
        self.query_one("#main").set_class(stale, "stale")
        self.query_one("#escalations").set_class(stale, "stale")
        bar.show(self.clock.now())

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Which keys apply depends on the focused pane.
        if not self._showing():
            return
        self.refresh_bindings()
        if not self.settings.console.cursor_blink and isinstance(event.widget, Input):
            event.widget.cursor_blink = False

    @on(VirtualGrid.Moved, "#queue-grid")
    def _follow_cursor(self) -> None:
        """The after-hours keys show in the footer only for a row that needs them."""
        if not self._showing():  # a late message while closing: no screen to ask
            return
        applying = self.desk_keys_applying()
        if applying != self._desk_keys:
            self._desk_keys = applying
            self.refresh_bindings()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """As `App.notify`, but plain text unless asked: messages carry customer names and
        summaries, which must never be read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # -- the clock ------------------------------------------------------------------------

    def _tick(self) -> None:
        if not self._showing():
            return
        now = self.clock.now()
        queue = self.query_one(QueuePane)
        with self.batch_update():
            self.query_one(StatusBar).show(now)
            if not self.desk.paused and queue.model.unsorted and not self._navigating():
                queue.resort()
                self._follow_cursor()
            # Breaches ring even while paused: pausing freezes the panes, not the alarms.
            breaches = self.desk.new_breaches(now) if self.desk.loaded else []
            if breaches:
                queue.flash(breaches)
                self._ring()
            queue.tick()
            for pane in self.query(EscalationPane):
                pane.grid.refresh()
            self._show_side()

    def _showing(self) -> bool:
        """False once shutdown began: a timer or a late message may still arrive after
        the panes are gone (`NoMatches` for the status bar, `ScreenStackError`)."""
        return self.is_running and bool(self.screen_stack)

    def _release_retained(self) -> None:
        if not self._showing():
            return
        release_dead_styles()
        release_dead_watchers(f for s in self.screen_stack for f in s.query(Footer))

    def _show_side(self) -> None:
        now = self.clock.now()
        alerts = self.desk.alerts(self.calendar, now)
        self.query_one(CoveragePane).show(now, alerts.uncovered)
        self.query_one(QueuePane).show_alerts(alerts, self.desk.designated)
        self.query_one(FollowUpsPane).show(self.calendar.local_date(now))

    def _navigating(self) -> bool:
        idle = timedelta(seconds=self.settings.console.idle_resort_seconds)
        return self.clock.now() - self._last_key < idle

    def _ring(self) -> None:
        if self.settings.console.bell:
            self.bell()

    def on_key(self) -> None:
        self._last_key = self.clock.now()

    # -- actions --------------------------------------------------------------------------

    def _grids(self) -> dict[Pane, VirtualGrid]:
        """Each pane's grid, on the main screen (even while a dialog is on top)."""
        main = self.screen_stack[0]
        grids = {Pane.QUEUE: main.query_one(QueuePane).grid}
        for pane in main.query(EscalationPane):
            grids[pane.pane] = pane.grid
        return grids

    def _focused_pane(self) -> Pane | None:
        for pane, grid in self._grids().items():
            if grid is self.focused:
                return pane
        return None

    def selection(self) -> Selection[Any]:
        pane = self._focused_pane()
        if pane is None:
            return Selection(None)
        grid = self._grids()[pane]
        return Selection(pane, tuple(grid.keys), grid.cursor_key, frozenset(grid.marked))

    def toggle_mark(self) -> None:
        pane = self._focused_pane()
        if pane is not None:
            grid = self._grids()[pane]
            if grid.cursor_key is not None:
                grid.toggle_mark(grid.cursor_key)
                grid.action_cursor_down()

    def clear_marks(self, pane: Pane) -> None:
        self._grids()[pane].clear_marks()

    def action_pane(self, index: int) -> None:
        self._grids()[PANES[index]].focus()

    def _focused_index(self) -> int:
        pane = self._focused_pane()
        return PANES.index(pane) if pane is not None else 0

    def action_next_pane(self) -> None:
        self.action_pane((self._focused_index() + 1) % len(PANES))

    def action_previous_pane(self) -> None:
        self.action_pane((self._focused_index() - 1) % len(PANES))

    def action_sort(self) -> None:
        self.query_one(QueuePane).cycle_sort()
        self._follow_cursor()

    def action_sort_direction(self) -> None:
        self.query_one(QueuePane).flip_direction()
        self._follow_cursor()

    def action_quick_filter(self) -> None:
        self.query_one(QueuePane).cycle_quick()
        self._follow_cursor()

    def action_toggle_pause(self) -> None:
        bar = self.query_one(StatusBar)
        if self.desk.paused:
            changed = self.desk.resume(self.clock.now(), keep_order=self._navigating())
            with self.batch_update():
                rows = self.desk.queue.rows
                shown = {i: rows[i] for i in changed.queue_rows if i in rows}
                self.query_one(QueuePane).apply(shown, changed)
                self._show_changed(changed)
        else:
            self.desk.pause()
        bar.paused = self.desk.paused
        bar.show(self.clock.now())

    def action_refresh(self) -> None:
        self.query_one(QueuePane).resort()
        self._reload()

    @work(thread=True, exclusive=True, group="reload", exit_on_error=False)
    def _reload(self) -> None:
        self.link.reload()

    def action_help(self) -> None:
        rows = []
        for binding in [*self.BINDINGS, *QueuePane.BINDINGS]:
            if isinstance(binding, Binding) and binding.id:
                keys = "  ".join(
                    self.get_key_display(Binding(key, binding.action))
                    for key in binding.key.split(",")
                )
                rows.append((keys, binding.description, binding.id))
        self.push_screen(HelpScreen(rows))

    def action_reports(self) -> None:
        self.push_screen(ReportScreen(self.board.database, self.calendar, self.clock))

    def action_show_on_call(self) -> None:
        self.notify(self.query_one(CoveragePane).on_call_summary(self.clock.now()))

    # -- detail -------------------------------------------------------------------------------

    @on(VirtualGrid.Selected)
    def _open_detail(self, message: VirtualGrid.Selected) -> None:
        panes = {grid: pane for pane, grid in self._grids().items()}
        if panes.get(message.grid) is Pane.QUEUE:
            request = self.desk.request(message.key)
            request_id = request.id if request is not None else None
        else:
            escalation = self.desk.escalation(message.key)
            request_id = escalation.request_id if escalation is not None else None
        if request_id is not None:
            self.open_request(request_id)

    def open_request(self, request_id: int) -> None:
        screen = DetailScreen(request_id, self.sla)
        self.push_screen(screen)
        self._load_detail(screen)

    @work(thread=True, group="detail", exit_on_error=False)
    def _load_detail(self, screen: DetailScreen) -> None:
        detail = self.board.detail(screen.request_id)
        self.call_from_thread(screen.show, detail, self.clock.now())

    def jump_to(self, request_id: int) -> None:
        """Cursor on the request in the queue, or its detail if it is not shown there."""
        queue = self.query_one(QueuePane)
        if queue.grid.move_to(request_id):
            queue.grid.focus()
        else:
            self.open_request(request_id)


def _settle_heap() -> None:
    """After a full load: collect once, then keep the loaded rows out of later full
    collections, which otherwise walk every row and stall a frame for 100 ms or more.
    Unfreezing first lets a reload free the rows of the load before."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def main_bindings() -> list[Binding]:
    """The bindings that can fire on the main screen: the app's, the queue's, the grids'."""
    found: list[Binding] = []
    for source in (SwitchboardApp.BINDINGS, QueuePane.BINDINGS, VirtualGrid.BINDINGS):
        found.extend(b for b in source if isinstance(b, Binding))
    return found


def other_bindings() -> list[Binding]:
    """Bindings of the other screens: their ids may be rebound too."""
    found: list[Binding] = []
    for screen in (HelpScreen, ReportScreen, DetailScreen, NoticeScreen, *DIALOGS):
        found.extend(b for b in screen.BINDINGS if isinstance(b, Binding))
    return found


def make_app(
    settings: Settings,
    database: Database,
    clock: Clock,
    identity: Identity,
    feed: Feed | None = None,
) -> SwitchboardApp:
    """The one way to build the console, for the CLI and for tests."""
    return SwitchboardApp(settings, database, clock, identity, feed)

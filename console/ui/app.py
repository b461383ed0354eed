"""The dispatcher console: one screen that answers "what needs me now?"."""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass
from datetime import timedelta

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from console.clock import Clock
from console.domain.coverage import OpenEmergency, uncovered_emergencies
from console.domain.escalation import Destination
from console.settings import Settings
from console.store.board import Board
from console.store.board_rows import BoardChanges, BoardState, CallBack
from console.store.commands import Rules
from console.store.db import Database
from console.store.feed import Feed, FeedStatus
from console.ui.commands import SwitchboardCommands
from console.ui.desk_actions import DESK_BINDINGS, DeskActions
from console.ui.lead_actions import LEAD_BINDINGS, LeadActions
from console.ui.live import BoardChanged, BoardLoaded, FeedStateChanged, LiveLink, PolicyChanged
from console.ui.screens.detail import DetailScreen
from console.ui.screens.help import HelpScreen
from console.ui.screens.reports import ReportScreen
from console.ui.textual_fixes import check_fixes, release_dead_styles, release_dead_watchers
from console.ui.widgets.coverage_pane import CoveragePane, FollowUpsPane
from console.ui.widgets.escalations import EscalationPane
from console.ui.widgets.grid import VirtualGrid
from console.ui.widgets.queue_pane import QueuePane
from console.ui.widgets.status_bar import StatusBar

#: Seconds a thread may hold the GIL before another gets a turn (Python's default: 0.005).
SWITCH_INTERVAL = 0.001
PANES = ("queue-grid", "esc-customer-care", "esc-technical", "esc-person")


@dataclass(frozen=True)
class Identity:
    """Who is signed in; `role` is None when the handle is not on the staff."""

    handle: str
    role: str | None = None

    @property
    def label(self) -> str:
        return f"{self.handle} ({self.role or 'not on staff'})"


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

    #: A line for the top of the help screen (the demo: where its portal is), or None.
    help_note: str | None = None

    def __init__(
        self,
        settings: Settings,
        database: Database,
        clock: Clock,
        identity: Identity,
        feed: Feed | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.identity = identity
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
        self.paused = False
        self._held: list[BoardChanges] = []
        # On the console's clock, so a frozen clock freezes the idle re-sort too.
        self._last_key = clock.now()
        self._own_timers: list[Timer] = []
        self.loaded = False
        #: Handle to department, for the pickers and the technical-lead check.
        self.staff_departments: dict[str, str] = {}
        #: Customer name to its designated emergency contacts, to call back.
        self.designated: dict[str, tuple[CallBack, ...]] = {}
        #: Handle to the person's name, for a conflict told in the desk's words.
        self.staff_names: dict[str, str] = {}
        self._desk_keys: tuple[bool, ...] = ()
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))
        if not settings.console.animations:
            self.animation_level = "none"

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(self.calendar, self.identity.label, id="status-bar")
        with Horizontal(id="main"):
            yield QueuePane(self.sla, self.clock, self.identity.handle, id="queue")
            with Vertical(id="side"):
                yield CoveragePane(
                    self.calendar, self.settings.coverage.gap_horizon_days, id="coverage"
                )
                yield FollowUpsPane(id="followups")
        with Horizontal(id="escalations"):
            for destination in Destination:
                yield EscalationPane(destination, self.clock, id=f"pane-{destination.value}")
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

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        state: BoardState = message.state
        with self.batch_update():
            self.query_one(QueuePane).load(state.requests)
            for pane in self.query(EscalationPane):
                pane.load(state.escalations)
            self.query_one(CoveragePane).roster = state.roster
            self.query_one(FollowUpsPane).followups = state.followups
            self.staff_departments = state.staff_departments
            self.designated = state.designated
            self.staff_names = state.staff_names
            self._update_identity(state.staff_roles)
            self._show_side()
        self.loaded = True
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
        if self.paused:
            self._held.append(message.changes)
            return
        self._apply(message.changes)

    def _apply(self, changes: BoardChanges) -> None:
        queue = self.query_one(QueuePane)
        with self.batch_update():
            alarms = queue.apply(
                changes.requests, changes.requests_gone, keep_order=self._navigating()
            )
            if changes.escalations or changes.escalations_gone:
                for pane in self.query(EscalationPane):
                    pane.apply(changes.escalations, changes.escalations_gone)
            if changes.roster is not None:
                self.query_one(CoveragePane).roster = changes.roster
            if changes.followups is not None:
                self.query_one(FollowUpsPane).followups = changes.followups
            side_changed = changes.roster is not None or changes.followups is not None
            if changes.staff_departments is not None:
                self.staff_departments = changes.staff_departments
            if changes.designated is not None:
                self.designated = changes.designated
            if changes.staff_names is not None:
                self.staff_names = changes.staff_names
            if changes.staff_roles is not None:
                self._update_identity(changes.staff_roles)
            if side_changed:  # otherwise the tick keeps them current, alerts too
                self._show_side()
            self._follow_cursor()
        if alarms:
            self._ring()

    @on(FeedStateChanged)
    def _feed_state(self, message: FeedStateChanged) -> None:
        bar = self.query_one(StatusBar)
        bar.connecting = False
        bar.feed_state = message.state
        stale = message.state.status in (FeedStatus.RECONNECTING, FeedStatus.OFFLINE)
        self.query_one("#main").set_class(stale, "stale")
        self.query_one("#escalations").set_class(stale, "stale")
        bar.show(self.clock.now())

    def _update_identity(self, roles: dict[str, str]) -> None:
        role = roles.get(self.identity.handle)
        if role != self.identity.role:
            self.identity = Identity(self.identity.handle, role)
            self.query_one(StatusBar).user = self.identity.label
        self.refresh_bindings()

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
            if not self.paused:
                if queue.model.unsorted and not self._navigating():
                    queue.resort()
                breaches = queue.new_breaches() if self.loaded else []
                if breaches:
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
        queue, cover = self.query_one(QueuePane), self.query_one(CoveragePane)
        waiting = uncovered_emergencies(
            self.calendar,
            cover.roster.shifts,
            (
                OpenEmergency(r.id, r.received_at, r.assignee)
                for r in queue.oldest(queue.emergencies)
            ),
            now,
        )
        uncovered = [queue.model.rows[e.request_id] for e in waiting]
        cover.show(now, uncovered)
        queue.show_alerts(uncovered, self.designated)
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

    def _grids(self) -> list[VirtualGrid]:
        return [self.query_one(f"#{pane_id}", VirtualGrid) for pane_id in PANES]

    def action_pane(self, index: int) -> None:
        self._grids()[index].focus()

    def _focused_index(self) -> int:
        grids = self._grids()
        return grids.index(self.focused) if self.focused in grids else 0

    def action_next_pane(self) -> None:
        self.action_pane((self._focused_index() + 1) % len(PANES))

    def action_previous_pane(self) -> None:
        self.action_pane((self._focused_index() - 1) % len(PANES))

    def action_sort(self) -> None:
        self.query_one(QueuePane).cycle_sort()

    def action_sort_direction(self) -> None:
        self.query_one(QueuePane).flip_direction()

    def action_quick_filter(self) -> None:
        self.query_one(QueuePane).cycle_quick()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.query_one(StatusBar).paused = self.paused
        if not self.paused:
            held, self._held = self._held, []
            for changes in held:
                self._apply(changes)
        self.query_one(StatusBar).show(self.clock.now())

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
        self.push_screen(HelpScreen(rows, note=self.help_note))

    def action_reports(self) -> None:
        self.push_screen(ReportScreen(self.board.database, self.calendar, self.clock))

    def action_show_on_call(self) -> None:
        self.notify(self.query_one(CoveragePane).on_call_summary(self.clock.now()))

    # -- detail -------------------------------------------------------------------------------

    @on(VirtualGrid.Selected)
    def _open_detail(self, message: VirtualGrid.Selected) -> None:
        request_id = message.key
        if message.grid.id != "queue-grid":
            pane = message.grid.parent
            assert isinstance(pane, EscalationPane)
            request_id = pane.rows[message.key].request_id
        self.open_request(int(request_id))  # type: ignore[call-overload]

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


def make_app(
    settings: Settings,
    database: Database,
    clock: Clock,
    identity: Identity,
    feed: Feed | None = None,
) -> SwitchboardApp:
    """The one way to build the console, for the CLI and for tests."""
    return SwitchboardApp(settings, database, clock, identity, feed)

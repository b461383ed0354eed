"""The dispatcher console: one screen that answers "what needs me now?"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from console.clock import Clock
from console.runtime import settle_heap
from console.settings import Settings
from console.store.board import Board
from console.store.board_rows import BoardState
from console.store.commands import Rules
from console.store.db import Database
from console.store.feed import Feed
from console.ui.acting import Undo, WriteRecord
from console.ui.bindings import APP_BINDINGS
from console.ui.commands import SwitchboardCommands
from console.ui.desk_actions import DeskActions
from console.ui.desk_view import DeskView
from console.ui.keymap import check_keymap, main_bindings, other_bindings
from console.ui.lead_actions import LeadActions
from console.ui.live import LiveLink
from console.ui.messages import (
    BoardChanged,
    BoardLoaded,
    FeedStateChanged,
    PolicyChanged,
    WriteConflicted,
    WriteDone,
    WriteFailed,
)
from console.ui.model import Changed, DeskState, Identity, Pane, Selection
from console.ui.screens.help import HelpScreen, help_rows
from console.ui.screens.reports import ReportScreen
from console.ui.textual_fixes import check_fixes, release_dead_styles, release_dead_watchers
from console.ui.widgets.coverage_pane import CoveragePane
from console.ui.widgets.escalations import EscalationPane
from console.ui.widgets.grid import VirtualGrid
from console.ui.widgets.queue_pane import QueuePane
from console.ui.widgets.status_bar import StatusBar
from console.ui.writer import Writer

__all__ = ["Identity", "SwitchboardApp", "make_app"]


class SwitchboardApp(App[None]):
    CSS_PATH = "switchboard.tcss"
    TITLE = "Switchboard"
    COMMANDS = App.COMMANDS | {SwitchboardCommands}

    BINDINGS = APP_BINDINGS

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
        self.writer = Writer(self.board, self.post_message, lambda e, a: self.lead.look_again(e, a))
        self.record = WriteRecord()
        self.lead = LeadActions(self, self.record)
        self.after_hours = DeskActions(self, self.record)
        self.view = DeskView(self)
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
        yield from self.view.compose()

    def on_resize(self, event: events.Resize) -> None:
        # The event's size (App.size still reads the old one while this runs), on the main
        # screen even while another one is on top.
        self.screen_stack[0].set_class(event.size.width < 140, "-narrow")
        self.screen_stack[0].set_class(event.size.width < 100, "-tiny")

    def on_mount(self) -> None:
        self.screen.set_class(self.size.width < 140, "-narrow")
        self.screen.set_class(self.size.width < 100, "-tiny")
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
        self.writer.stop()
        self.exit()

    def on_unmount(self) -> None:
        self._stop_timers()
        self.link.stop()
        self.writer.stop()

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

    # -- the actions: objects of their own, reached through these methods ------------------

    @property
    def undo_record(self) -> Undo | None:
        return self.record.undo

    @property
    def writes_done(self) -> int:
        return self.record.done

    @property
    def writes_conflicted(self) -> int:
        return self.record.conflicted

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        name = str(parameters[0]) if action == "act" and parameters else action
        return self.lead.allowed(name)

    def action_act(self, name: str, *args: int) -> None:
        """Run an action object's method (the keys' `act('assign')`)."""
        actions: dict[str, Callable[..., None]] = {
            **self.lead.actions(),
            **self.after_hours.actions(),
        }
        actions[name](*args)

    def action_refuse(self, name: str) -> None:
        self.lead.refuse(name)

    def on_write_done(self, message: WriteDone) -> None:
        self.lead.written(message)

    def on_write_conflicted(self, message: WriteConflicted) -> None:
        self.lead.conflicted(message)

    def on_write_failed(self, message: WriteFailed) -> None:
        self.lead.failed(message)

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        state: BoardState = message.state
        changed = self.desk.load(state, self.clock.now())
        with self.batch_update():
            self.view.queue.load()
            for pane in self.query(EscalationPane):
                pane.show()
            self._show_changed(changed)
        self.call_after_refresh(settle_heap)

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
        changed = self.desk.apply(changes, self.clock.now(), keep_order=self._navigating())
        with self.batch_update():
            if not self.desk.paused:
                self.view.queue.apply(changes.requests, changed)
            self._show_changed(changed)
        if changed.alarms:
            self._ring()

    def _show_changed(self, changed: Changed) -> None:
        self.view.show_changed(changed)
        self._follow_cursor()

    @on(FeedStateChanged)
    def _feed_state(self, message: FeedStateChanged) -> None:
        self.view.show_feed(message.state)

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
        applying = self.after_hours.desk_keys_applying()
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
        with self.batch_update():
            unsorted = self.desk.queue.unsorted
            if self.view.tick(resort=not self._navigating()):
                self._ring()
            if unsorted and not self.desk.queue.unsorted:
                self._follow_cursor()

    def _showing(self) -> bool:
        """False once shutdown began: a timer or a late message may still arrive after
        the panes are gone (`NoMatches` for the status bar, `ScreenStackError`)."""
        return self.is_running and bool(self.screen_stack)

    def _release_retained(self) -> None:
        if not self._showing():
            return
        release_dead_styles()
        release_dead_watchers(f for s in self.screen_stack for f in s.query(Footer))

    def _navigating(self) -> bool:
        idle = timedelta(seconds=self.settings.console.idle_resort_seconds)
        return self.clock.now() - self._last_key < idle

    def _ring(self) -> None:
        if self.settings.console.bell:
            self.bell()

    def on_key(self) -> None:
        self._last_key = self.clock.now()

    # -- actions --------------------------------------------------------------------------

    def selection(self) -> Selection[Any]:
        return self.view.selection()

    def toggle_mark(self) -> None:
        self.view.toggle_mark()

    def clear_marks(self, pane: Pane) -> None:
        self.view.clear_marks(pane)

    def action_pane(self, index: int) -> None:
        self.view.focus(index=index)

    def action_next_pane(self) -> None:
        self.view.focus(step=1)

    def action_previous_pane(self) -> None:
        self.view.focus(step=-1)

    def action_sort(self) -> None:
        self.view.queue.cycle_sort()
        self._follow_cursor()

    def action_sort_direction(self) -> None:
        self.view.queue.flip_direction()
        self._follow_cursor()

    def action_quick_filter(self) -> None:
        self.view.queue.cycle_quick()
        self._follow_cursor()

    def action_toggle_pause(self) -> None:
        bar = self.query_one(StatusBar)
        if self.desk.paused:
            changed = self.desk.resume(self.clock.now(), keep_order=self._navigating())
            with self.batch_update():
                rows = self.desk.queue.rows
                shown = {i: rows[i] for i in changed.queue_rows if i in rows}
                self.view.queue.apply(shown, changed)
                self._show_changed(changed)
        else:
            self.desk.pause()
        bar.paused = self.desk.paused
        bar.show(self.clock.now())

    def action_refresh(self) -> None:
        self.view.queue.resort()
        self.link.reload()

    def action_help(self) -> None:
        bindings = [*self.BINDINGS, *QueuePane.BINDINGS]
        self.push_screen(HelpScreen(help_rows(bindings, self.get_key_display), note=self.help_note))

    def action_reports(self) -> None:
        self.push_screen(ReportScreen(self.board.database, self.calendar, self.clock))

    def action_show_on_call(self) -> None:
        self.notify(self.query_one(CoveragePane).on_call_summary(self.clock.now()))

    # -- detail -------------------------------------------------------------------------------

    @on(VirtualGrid.Selected)
    def _open_detail(self, message: VirtualGrid.Selected) -> None:
        self.view.open_detail(message.grid, message.key)

    def jump_to(self, request_id: int) -> None:
        """Cursor on the request in the queue, or its detail if it is not shown there."""
        self.view.jump_to(request_id)


def make_app(
    settings: Settings,
    database: Database,
    clock: Clock,
    identity: Identity,
    feed: Feed | None = None,
) -> SwitchboardApp:
    """The one way to build the console, for the CLI and for tests."""
    return SwitchboardApp(settings, database, clock, identity, feed)

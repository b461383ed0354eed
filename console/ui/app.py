"""The dispatcher console: one screen that answers "what needs me now?".

The app holds the services (the board, the live link, the writer, the clock, the keymap)
and the desk model, and handles the messages that change the model; the main screen
(`console.ui.screens.desk.DeskScreen`) draws it. The keys stay the app's, so they work as
before with the detail or the reports on top; their actions ask the main screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from textual import events, on, work
from textual.app import App
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Footer, Input, TextArea
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
from console.ui.model import DeskState, Identity, Pane, Selection
from console.ui.screens.desk import DeskScreen
from console.ui.screens.help import HelpScreen, help_rows
from console.ui.screens.reports import ReportScreen
from console.ui.textual_fixes import check_fixes, release_dead_styles, release_dead_watchers
from console.ui.widgets.queue_pane import QueuePane
from console.ui.work_actions import WORK_NEEDS, WorkActions, WorkCommands
from console.ui.writer import Writer

__all__ = ["Identity", "SwitchboardApp", "make_app"]


class SwitchboardApp(App[None]):
    CSS_PATH = "switchboard.tcss"
    TITLE = "Switchboard"
    COMMANDS = App.COMMANDS | {SwitchboardCommands, WorkCommands}

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
        self.work = WorkActions(self, self.record)  # issue 18: respond, note, work, resolve
        #: The main screen, installed as the default one (`screen_stack[0]`).
        self.desk_screen = DeskScreen(self)
        # On the console's clock, so a frozen clock freezes the idle re-sort too.
        self._last_key = clock.now()
        self._own_timers: list[Timer] = []
        if settings.keymap:
            self.set_keymap(dict(settings.keymap))
        if not settings.console.animations:
            self.animation_level = "none"

    # -- the main screen and the services' start ---------------------------------------

    def get_default_screen(self) -> DeskScreen:
        return self.desk_screen

    def on_resize(self, event: events.Resize) -> None:
        # The event's size (App.size still reads the old one while this runs), on the main
        # screen even while another one is on top.
        self.desk_screen.fit(event.size.width)

    def start(self) -> None:
        """The clock and the live link, once the main screen's panes exist (it calls this
        from its mount, which comes after the app's)."""
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
        return (self.work if name in WORK_NEEDS else self.lead).allowed(name)

    def action_act(self, name: str, *args: int) -> None:
        """Run an action object's method (the keys' `act('assign')`)."""
        actions: dict[str, Callable[..., None]] = {
            **self.lead.actions(),
            **self.after_hours.actions(),
            **self.work.actions(),
        }
        actions[name](*args)

    def action_refuse(self, name: str) -> None:
        (self.work if name in WORK_NEEDS else self.lead).refuse(name)

    def on_write_done(self, message: WriteDone) -> None:
        self.lead.written(message)
        self.work.after_write(message)

    def on_write_conflicted(self, message: WriteConflicted) -> None:
        self.lead.conflicted(message)

    def on_write_failed(self, message: WriteFailed) -> None:
        self.lead.failed(message)

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        state: BoardState = message.state
        changed = self.desk.load(state, self.clock.now())
        with self.batch_update():
            self.desk_screen.loaded(changed)
        self.call_after_refresh(settle_heap)

    @on(PolicyChanged)
    def _policy_changed(self, message: PolicyChanged) -> None:
        # Every pane that computes from the calendar or the targets gets the new ones.
        self.rules = message.rules
        self.calendar, self.sla = self.rules.calendar, self.rules.sla
        if not self.screen_stack:  # closing down: nothing left to draw
            return
        self.desk_screen.show_policy(self.calendar, self.sla)  # even with a dialog on top
        if self.screen is self.desk_screen:
            self._tick()

    @on(BoardChanged)
    def _changed(self, message: BoardChanged) -> None:
        changes = message.changes
        self.work.changed(set(changes.requests) | set(changes.requests_gone))
        changed = self.desk.apply(changes, self.clock.now(), keep_order=self._navigating())
        with self.batch_update():
            self.desk_screen.changed(changes, changed)
        if changed.alarms:
            self._ring()

    @on(FeedStateChanged)
    def _feed_state(self, message: FeedStateChanged) -> None:
        self.desk_screen.show_feed(message.state)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Which keys apply depends on the focused pane.
        if not self.showing():
            return
        self.refresh_bindings()
        if not self.settings.console.cursor_blink and isinstance(event.widget, Input | TextArea):
            event.widget.cursor_blink = False

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
        if not self.showing():
            return
        with self.batch_update():
            if self.desk_screen.tick(resort=not self._navigating()):
                self._ring()

    def showing(self) -> bool:
        """False once shutdown began: a timer or a late message may still arrive after
        the panes are gone (`NoMatches` for the status bar, `ScreenStackError`)."""
        return self.is_running and bool(self.screen_stack)

    def _release_retained(self) -> None:
        if not self.showing():
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

    # -- the actions' host (`console.ui.acting.Host`): what is pointed at is the screen's --

    def selection(self) -> Selection[Any]:
        return self.desk_screen.selection()

    def toggle_mark(self) -> None:
        self.desk_screen.toggle_mark()

    def clear_marks(self, pane: Pane) -> None:
        self.desk_screen.clear_marks(pane)

    def action_pane(self, index: int) -> None:
        self.desk_screen.focus_pane(index=index)

    def action_next_pane(self) -> None:
        self.desk_screen.focus_pane(step=1)

    def action_previous_pane(self) -> None:
        self.desk_screen.focus_pane(step=-1)

    def action_sort(self) -> None:
        self.desk_screen.sort()

    def action_sort_direction(self) -> None:
        self.desk_screen.sort_direction()

    def action_quick_filter(self) -> None:
        self.desk_screen.quick_filter()

    def action_toggle_pause(self) -> None:
        if self.desk.paused:
            changed = self.desk.resume(self.clock.now(), keep_order=self._navigating())
            with self.batch_update():
                self.desk_screen.resumed(changed)
        else:
            self.desk.pause()
        self.desk_screen.show_paused(self.desk.paused)

    def action_refresh(self) -> None:
        self.desk_screen.queue.resort()
        self.link.reload()

    def action_help(self) -> None:
        bindings = [*self.BINDINGS, *QueuePane.BINDINGS]
        self.push_screen(HelpScreen(help_rows(bindings, self.get_key_display), note=self.help_note))

    def action_reports(self) -> None:
        self.push_screen(ReportScreen(self.board.database, self.calendar, self.clock))

    def action_show_on_call(self) -> None:
        self.notify(self.desk_screen.on_call_summary())

    def jump_to(self, request_id: int) -> None:
        """Cursor on the request in the queue, or its detail if it is not shown there."""
        self.desk_screen.jump_to(request_id)


def make_app(
    settings: Settings,
    database: Database,
    clock: Clock,
    identity: Identity,
    feed: Feed | None = None,
) -> SwitchboardApp:
    """The one way to build the console, for the CLI and for tests."""
    return SwitchboardApp(settings, database, clock, identity, feed)

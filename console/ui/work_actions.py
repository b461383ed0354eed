"""The work keys (issue 18): an agent works requests in the console, not only the CLI.

`N` logs a new request (a call, voicemail, e-mail or portal request; an unknown caller
becomes a contact in the same write); on the request under the cursor, or the one the
detail screen shows: `o` records the response (an e-mail or portal request: a reply
composed here and mailed, as `switchboard ticket reply`; a call or voicemail: when it was
answered), `i` adds a note, `w` logs work (`25`, `1h 10m` or a start `09:40`), `W`
starts and stops a work timer (stopping logs the work), `z` resolves and `Z` reopens.

Each goes through the console's one writer like every action (`console.ui.acting`): the
store checks the role again, a state change carries the version seen (a conflict opens
the conflict dialog), and resolve and reopen undo each other with `u`. A key shows in the
footer only when it applies; pressed anyway (or chosen in the palette) it says why not.
The timer lives in this console's memory (no table): a console closed with a timer
running logs nothing; the request's detail screen shows a running timer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from console.store import commands
from console.store.commands.notes import add_note
from console.store.commands.portal import desk_reply
from console.ui.acting import key_pair
from console.ui.conflicts import Again
from console.ui.format import age, short_day_time
from console.ui.new_request_action import NewRequestActions
from console.ui.screens.dialogs import ConfirmScreen
from console.ui.screens.work_dialogs import ComposeScreen, WhenScreen, WorkAnswer, WorkScreen
from console.ui.work_commands import WorkCommands
from console.ui.work_target import NEEDS as WORK_NEEDS
from console.ui.work_target import REPLIED, Target

__all__ = ["WORK_BINDINGS", "WORK_NEEDS", "WorkActions", "WorkCommands"]

WORK_BINDINGS = [
    # Short words: the footer holds every key of the row under the cursor.
    *key_pair("N", "new_request", "New", "desk.new-request", "new_request"),
    *key_pair("o", "respond", "Respond", "desk.respond", "respond"),
    *key_pair("i", "note", "Note", "desk.note", "note"),
    *key_pair("w", "log_work", "Work", "desk.log-work", "log_work"),
    *key_pair("W", "timer", "Timer", "desk.timer", "timer"),
    *key_pair("z", "resolve", "Resolve", "desk.resolve", "resolve"),
    *key_pair("Z", "reopen", "Reopen", "desk.reopen", "reopen"),
]

#: A timer stopped sooner logs nothing (the store takes whole spans; a slip of the key).
MINUTE = timedelta(minutes=1)


class WorkActions(NewRequestActions):
    """The work keys on one request, and `N` (see `NewRequestActions`)."""

    def actions(self) -> dict[str, Callable[..., None]]:
        return {
            "new_request": self.new_request,
            "respond": self.respond,
            "note": self.note,
            "log_work": self.log_work,
            "timer": self.timer,
            "resolve": self.resolve,
            "reopen": self.reopen,
        }

    # -- what is pointed at ---------------------------------------------------------------

    # -- on one request -------------------------------------------------------------------

    def respond(self) -> None:
        target = self._go("respond")
        if target is None:
            return
        if target.channel in REPLIED:
            self._reply(target)
            return
        now = self.host.clock.now()

        def answered(at: datetime | None) -> None:
            if at is None:
                return
            who, now = self._me()
            self._attempt(
                lambda s: commands.respond(
                    s, who, now, request_id=target.id, at=at, expected_version=target.version
                ),
                f"recorded the response to #{target.id} "
                f"({short_day_time(at, self.host.calendar.zone, now)})",
                [],
                Again("request", {target.id: target.version}, None),
            )

        self.host.push_screen(
            WhenScreen(
                "Record the response",
                f"{target.about}\nThe {target.channel} was answered (the customer was "
                "called back): this stops its response clock.",
                "Answered at",
                self.host.calendar.zone,
                now,
            ),
            answered,
        )

    def _reply(self, target: Target) -> None:
        mailed = "mailed to the customer" if target.channel == "email" else "sent"

        def written(body: str | None) -> None:
            if body:
                who, now = self._me()
                self._attempt(
                    lambda s: desk_reply(s, who, now, request_id=target.id, body=body),
                    f"replied on #{target.id} ({mailed}, shown on the portal)",
                    [],
                )

        hint = (
            f"The reply is {mailed} and shown on the portal; "
            "the first reply stops the response clock."
        )
        self.host.push_screen(ComposeScreen("Reply to the customer", target.about, hint), written)

    def note(self) -> None:
        target = self._go("note")
        if target is None:
            return

        def written(text: str | None) -> None:
            if text:
                who, now = self._me()
                self._attempt(
                    lambda s: add_note(s, who, now, request_id=target.id, text=text),
                    f"added a note to #{target.id}",
                    [],
                )

        hint = "For the desk only: the customer never sees a note. It is kept in the history."
        self.host.push_screen(ComposeScreen("Add a note", target.about, hint), written)

    def log_work(self) -> None:
        target = self._go("log_work")
        if target is not None:
            self._ask_work(target, "")

    def _ask_work(self, target: Target, start: str) -> None:
        def answered(answer: WorkAnswer | None) -> None:
            if answer is not None:
                self._log(target, answer.started_at, answer.ended_at, answer.note)

        now = self.host.clock.now()
        self.host.push_screen(
            WorkScreen(target.about, self.host.calendar.zone, now, start), answered
        )

    def _log(self, target: Target, start: datetime, end: datetime, note: str | None) -> None:
        who, now = self._me()
        rules = self.host.rules
        minutes = int((end - start).total_seconds() // 60)
        self._attempt(
            lambda s: commands.log_work(
                s,
                who,
                now,
                rules,
                request_id=target.id,
                started_at=start,
                ended_at=end,
                note=note,
            ),
            f"logged {minutes} min of work on #{target.id}",
            [],
        )

    def timer(self) -> None:
        target = self._go("timer")
        if target is None:
            return
        now = self.host.clock.now()
        started = self.timers.pop(target.id, None)
        if started is None:
            self.timers[target.id] = now
            when = short_day_time(now, self.host.calendar.zone, now)
            self.host.notify(f"work timer on #{target.id} started at {when}", title="Timer")
        elif now - started < MINUTE:
            self.host.notify(
                f"work timer on #{target.id} stopped after {age(started, now)}: "
                "under a minute, nothing logged",
                title="Timer",
            )
        else:
            self._log(target, started, now, "work timer")
        self._show_timer(target.id)

    def resolve(self) -> None:
        target = self._go("resolve")
        if target is not None:
            self._resolve(target)

    def _resolve(self, target: Target) -> None:
        closes = " Its open escalations close with it." if target.escalated else ""

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            who, now = self._me()
            undo = (
                []
                if target.escalated  # a reopen would not bring the escalations back
                else [
                    (
                        commands.reopen,
                        {"request_id": target.id, "expected_version": target.version + 1},
                    )
                ]
            )
            self._attempt(
                lambda s: commands.resolve(
                    s, who, now, request_id=target.id, expected_version=target.version
                ),
                f"resolved #{target.id}",
                undo,
                Again("request", {target.id: target.version}, None),
            )

        self.host.push_screen(
            ConfirmScreen(f"Resolve #{target.id}?", f"{target.about}{closes}"), confirmed
        )

    def reopen(self) -> None:
        target = self._go("reopen")
        if target is None:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            who, now = self._me()
            self._attempt(
                lambda s: commands.reopen(
                    s, who, now, request_id=target.id, expected_version=target.version
                ),
                f"reopened #{target.id}",
                [
                    (
                        commands.resolve,
                        {"request_id": target.id, "expected_version": target.version + 1},
                    )
                ],
                Again("request", {target.id: target.version}, None),
            )

        self.host.push_screen(
            ConfirmScreen(f"Reopen #{target.id}?", f"{target.about}\nIt goes back in the queue."),
            confirmed,
        )

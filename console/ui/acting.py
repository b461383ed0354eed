"""What every console action shares: which keys a role may use, which rows it aims at,
and how a write runs. Mixed into `SwitchboardApp` through `LeadActions` and `DeskActions`.

Targets are captured by id and version when the key is pressed and written with those
versions: if someone changed a row in between, nothing is written and the conflict
dialog says who, when and what the row is now; `r` opens the action's own dialog again
on the new version (`console.ui.conflicts`), so nothing is written without a new choice.
Every write runs on its own thread with its own session, so the screen never waits for
the database, under an idempotency key made when the key is pressed (retried if its
outcome is unknown).
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from console.store.commands import leads
from console.store.errors import ConflictError, StoreError
from console.store.idempotency import Once, fingerprint, retrying, run_once
from console.ui.conflicts import Again, Conflict, conflict_text, look_again, retry_hint
from console.ui.format import inert
from console.ui.model import DeskState, Pane, Selection, why_not
from console.ui.model.keys import NEEDS
from console.ui.screens.dialogs import ConflictScreen

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: How long the last action can be undone, on the console's clock (tests freeze it).
UNDO_WINDOW = timedelta(seconds=60)
#: A write: runs the store command(s) of one action in the session given.
Do = Callable[["Session"], Any]


def key_pair(
    key: str, action: str, description: str, binding_id: str, refused: str
) -> list[Binding]:
    """The key, shown when allowed; the same key hidden, explaining why not, otherwise."""
    return [
        Binding(key, action, description, id=binding_id),
        Binding(key, f"refuse('{refused}')", description, show=False),
    ]


@dataclass(frozen=True)
class Undo:
    at: datetime
    description: str
    steps: list[leads.Step]


class Acting:
    """Needs from the app: focused, query_one, identity, clock, board, notify, push_screen."""

    undo_record: Undo | None = None
    #: How many of this console's writes landed, and how many met a conflict.
    writes_done: int = 0
    writes_conflicted: int = 0
    desk: DeskState

    # -- what is pointed at and allowed -------------------------------------------------------

    def selection(self) -> Selection[Any]:
        """The focused pane's rows, cursor and marks (the app builds it from its grid)."""
        raise NotImplementedError

    def _why_not(self, name: str) -> str | None:
        chosen = self.selection()
        identity = self.desk.identity
        row = self.desk.request(chosen.cursor) if chosen.pane is Pane.QUEUE else None
        return why_not(
            name, identity.role, self.desk.department_of(identity.handle), chosen.pane, row
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in NEEDS:
            return self._why_not(action) is None
        return True

    def action_refuse(self, name: str) -> None:
        key = "priority" if name == "prioritise" else name
        reason = self._why_not(key) or "not possible here"
        self.notify(reason, title="Not allowed", severity="warning")  # type: ignore[attr-defined]

    @staticmethod
    def _describe(rows: list[Any], request_of: Callable[[Any], int]) -> str:
        shown = [f"#{request_of(r)} {inert(r.customer)}" for r in rows[:8]]
        more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
        return ", ".join(shown) + more

    # -- writing ------------------------------------------------------------------------------

    def _me(self) -> tuple[str, Any]:
        return self.identity.handle, self.clock.now()  # type: ignore[attr-defined]

    def _attempt(
        self, do: Do, done: str, undo: list[leads.Step], again: Again | None = None
    ) -> None:
        """Run the write built from the versions the person saw, on its own thread; on a
        conflict, `again` says what to show and which dialog `r` opens."""
        self._write(do, done, undo, again)

    def _write(
        self,
        do: Do,
        done: str,
        undo: list[leads.Step],
        again: Again | None,
    ) -> None:
        """Start the write on its own thread now. A Textual worker would start only on the
        event loop's next turn, often behind a repaint (benchmarks/lead_action.py).

        The action's idempotency key is made here, when the person acts: a connection lost
        during COMMIT is retried under it on a new connection, so the action lands once."""
        handle, now = self._me()
        once = Once(f"console-{uuid.uuid4()}", handle, fingerprint(done), now, lambda _: {})

        def attempt() -> None:
            with self.board.database.session() as session:  # type: ignore[attr-defined]
                run_once(session, once, do)

        def run() -> None:
            try:
                retrying(attempt)
            except ConflictError as exc:
                self.writes_conflicted += 1
                now = self.clock.now()  # type: ignore[attr-defined]
                today = self.calendar.local_date(now)  # type: ignore[attr-defined]
                fresh = look_again(self.board, exc, again, now, today)  # type: ignore[attr-defined]
                self._tell(self._conflict, fresh, again)
                return
            except StoreError as exc:
                self._tell(self.notify, str(exc), title="Not done", severity="error")  # type: ignore[attr-defined]
                return
            except Exception as exc:  # a bug must be seen, not lost with the thread
                self._tell(
                    self.notify,  # type: ignore[attr-defined]
                    f"{type(exc).__name__}: {exc}",
                    title="Internal error",
                    severity="error",
                )
                return
            self.writes_done += 1
            # Even one that cannot be undone replaces the last: `u` must never reach past it.
            self.undo_record = Undo(self.clock.now(), done, undo)  # type: ignore[attr-defined]
            self._tell(self.notify, done[:1].upper() + done[1:], title="Done")  # type: ignore[attr-defined]

        threading.Thread(target=run, name="switchboard-write").start()

    def _tell(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `callback` on the UI thread, unless the console has closed meanwhile."""
        with contextlib.suppress(RuntimeError):  # the app is no longer running
            self.call_from_thread(callback, *args, **kwargs)  # type: ignore[attr-defined]

    def _conflict(self, conflict: Conflict, again: Again | None) -> None:
        """Show what the rows are now; `r` opens the action's dialog on them, nothing else."""
        now = self.clock.now()  # type: ignore[attr-defined]
        names = self.desk.staff_names
        message = conflict_text(conflict, again, names, self.calendar.zone, now)  # type: ignore[attr-defined]
        rows = conflict.retry_rows(again)

        def answered(retry: bool | None) -> None:
            if retry and again is not None and again.reopen is not None:
                again.reopen(rows)

        hint = retry_hint(rows) if rows else None
        self.push_screen(ConflictScreen(message, hint), answered)  # type: ignore[attr-defined]

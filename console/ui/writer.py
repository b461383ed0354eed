"""The console's one writer: a thread that runs this console's store commands in order,
off the UI thread, and answers each with a typed message (`WriteDone`, `WriteConflicted`,
`WriteFailed` in `console.ui.messages`). It changes nothing of the console's own: the undo
record, the counters and the dialogs are the UI thread's, when the answer arrives.

A job starts at once (no wait for the event loop's next turn, which often comes after a
repaint: benchmarks/lead_action.py). Its idempotency key is made when the person acts: a
connection lost during COMMIT is retried under it, so the action lands once.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.store.errors import ConflictError, StoreError
from console.store.idempotency import Once, retrying, run_once
from console.ui.messages import WriteConflicted, WriteDone, WriteFailed

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from textual.message import Message

    from console.store.board import Board
    from console.store.commands import leads
    from console.ui.conflicts import Again, Conflict

log = logging.getLogger(__name__)

#: A write: runs the store command(s) of one action in the session given.
Do = Callable[["Session"], Any]
#: Reads the rows of a refused write as they are now: (error, again) -> conflict.
LookAgain = Callable[[ConflictError, "Again | None"], "Conflict"]


@dataclass(frozen=True)
class WriteJob:
    """One action's write, built from the versions the person saw."""

    do: Do
    #: What it did, in the past tense: the "Done" line and the undo's description.
    done: str
    #: The store commands that put it back (empty: it cannot be undone).
    undo: list[leads.Step]
    #: On a conflict: what to show and which dialog `r` opens again.
    again: Again | None
    once: Once


class Writer:
    def __init__(self, board: Board, post: Callable[[Message], object], look: LookAgain) -> None:
        self.board = board
        self.post = post
        self.look = look
        self._jobs: queue.SimpleQueue[WriteJob | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def submit(self, job: WriteJob) -> None:
        if self._thread is None:
            # Not a daemon: a write handed in just before quitting still lands (or fails
            # after its bounded retries) before the process ends.
            self._thread = threading.Thread(target=self._run, name="switchboard-writer")
            self._thread.start()
        self._jobs.put(job)

    def stop(self) -> None:
        """End once every job handed in so far has been answered."""
        self._jobs.put(None)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            self.post(self.answer(job))

    def answer(self, job: WriteJob) -> Message:
        """Run `job` (blocking) and say how it went."""

        def attempt() -> None:
            with self.board.database.session() as session:
                run_once(session, job.once, job.do)

        try:
            retrying(attempt)
        except ConflictError as exc:
            return WriteConflicted(job, self.look(exc, job.again))
        except StoreError as exc:
            return WriteFailed(job, str(exc))
        except Exception as exc:  # a bug must be seen, not lost with the thread
            log.exception("write failed")
            return WriteFailed(job, f"{type(exc).__name__}: {exc}", internal=True)
        return WriteDone(job)

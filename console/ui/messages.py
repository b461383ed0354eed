"""Every message that crosses into the console's UI thread, as dataclasses: from the live
link (the one thread that reads the database) and from the writer (the one thread that
runs store commands). Handlers on the UI thread are the only code that changes the desk
model, the undo record and the counters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from console.store.board_rows import BoardChanges, BoardState
from console.store.feed import FeedState

if TYPE_CHECKING:
    from console.store.commands import Rules
    from console.ui.conflicts import Conflict
    from console.ui.writer import WriteJob


@dataclass
class BoardLoaded(Message):
    """The whole picture, read once at start and again on a full refresh (ctrl+r)."""

    state: BoardState


@dataclass
class BoardChanged(Message):
    """Fresh copies of the rows a batch of events touched."""

    changes: BoardChanges
    events: int  # how many events the batch held; the soak benchmark checks none is dropped


@dataclass
class FeedStateChanged(Message):
    """The feed's state changed (live, polling, reconnecting, offline, error)."""

    state: FeedState

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FeedStateChanged)


@dataclass
class PolicyChanged(Message):
    """A lead changed the desk policy: the rules now in effect, read after the change."""

    rules: Rules


@dataclass
class WriteDone(Message):
    """The job's store commands committed."""

    job: WriteJob


@dataclass
class WriteConflicted(Message):
    """Someone changed a target row first: nothing was written; `conflict` holds the rows
    as they are now (read by the writer, right after the refusal)."""

    job: WriteJob
    conflict: Conflict


@dataclass
class WriteFailed(Message):
    """Refused by a rule (`internal` False: the reason is for the person) or a bug."""

    job: WriteJob
    reason: str
    internal: bool = False

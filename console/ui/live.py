"""The bridge from the store to the screen: load once, then follow the feed.

It runs on one worker thread, the only one of the console that reads the desk: the feed
calls back on it, and a full reload (ctrl+r) is a request it serves in order with the
batches (`Feed.call_soon`), so a load never lands after a newer change and puts a row
back to an older version. A slow read delays the next one instead of piling up beside
it. Results cross to the UI thread only as messages (`console.ui.messages`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from textual.message import Message

from console.clock import Clock
from console.domain.calendar import DeskCalendar
from console.store.board import Board
from console.store.commands import Rules
from console.store.feed import CONNECTION_ERRORS, Batch, Feed, FeedState, FeedStatus
from console.ui.messages import BoardChanged, BoardLoaded, FeedStateChanged, PolicyChanged

log = logging.getLogger(__name__)


@dataclass
class LiveLink:
    """Loads the board, then applies the feed; `run` blocks until `stop`."""

    board: Board
    feed: Feed
    calendar: DeskCalendar
    clock: Clock
    #: The app's `post_message`, which is safe to call from this thread.
    post: Callable[[Message], bool]

    def run(self) -> None:
        attempt = 0
        since: datetime | None = None  # the first failure: the outage's age grows from it
        while not self.feed.stopped:
            try:
                # Position first, then rows: nothing committed in between is missed.
                self.feed.start_at(None)
                self.post(BoardLoaded(self.board.load(*self._now())))
                break
            except CONNECTION_ERRORS as exc:  # the feed's own connection raises psycopg's
                log.info("initial load failed: %s", exc)
                attempt += 1
                now = self.clock.now()
                since = since or now
                status = (
                    FeedStatus.OFFLINE
                    if now - since >= self.feed.offline_after
                    else FeedStatus.RECONNECTING
                )
                self.post(FeedStateChanged(FeedState(status, since=since)))
                time.sleep(min(5.0, 0.2 * 2**attempt))
        self.feed.run(self._on_batch, lambda state: self.post(FeedStateChanged(state)))

    def reload(self) -> None:
        """Ask for a full re-read (ctrl+r), from any thread: the link's thread runs it after
        the batches committed so far and before any later one."""
        self.feed.call_soon(self._reload)

    def _reload(self) -> None:
        self.post(BoardLoaded(self.board.load(*self._now())))
        self.feed.recovered()  # whatever a failed batch skipped is on screen again

    def stop(self) -> None:
        self.feed.stop()

    def _now(self) -> tuple[datetime, date]:
        now = self.clock.now()
        return now, self.calendar.local_date(now)

    def _on_batch(self, batch: Batch) -> None:
        if any(entity == "policy" for entity, _ in batch.touched):
            # Before the rows: their new due times must meet the calendar they were made by.
            with self.board.database.reading() as session:
                rules = Rules.read(session)
            self.calendar = rules.calendar
            self.post(PolicyChanged(rules))
        changes = self.board.changes(batch.touched, *self._now())
        self.post(BoardChanged(changes, len(batch.events)))

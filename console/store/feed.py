"""The live event feed: every committed event, exactly once, to every console.

**Why reading "after the highest id" is not enough.** Event ids come from a sequence
when the row is inserted, but transactions commit in their own order: a writer that took
id 41 may commit after the writer that took 42. A reader that saw 42 and then asks for
"id > 42" never sees 41. Sleeping or re-reading a window only makes the skip rarer.

**What this feed does instead (Postgres).** Every event row carries the id of the
transaction that wrote it (`pg_current_xact_id()`). Each read is one SQL statement, so it
runs in one snapshot, and it asks for that snapshot's `xmin`: every transaction with an
id below `xmin` has finished, so its events are either visible in this snapshot or never
will be. The position is therefore a pair:

* `horizon`, the `xmin` of the previous read: all events of transactions below it were
  delivered;
* `seen`, the ids already delivered whose transaction is at or above the horizon (events
  of transactions that committed while an older one was still open).

A read fetches events with `transaction_id >= horizon`, delivers those not in `seen`,
then moves the horizon to the new `xmin` and forgets the seen ids below it. Nothing is
delayed by an old open transaction (committed events above the horizon are delivered at
once) and nothing is skipped (an event below the new horizon was visible in the snapshot
that moved it). `seen` only holds the events of the in-flight window, so it stays small.

**SQLite** has one writer at a time: an event's id is taken inside the write lock and
committed before any other writer can insert, so ids commit in order and "after the
highest id" is exact there. It is polled.

**Waking up.** On Postgres one connection per console LISTENs on `switchboard_events`
and also runs the reads (autocommit, one prepared statement each); the write path sends
`pg_notify` in the same transaction as the event. A notification is only
a wake-up call: the payload is never trusted (NOTIFY is lost while nobody listens, and
limited to 8000 bytes); each wake-up reads from the position. A safety-net read runs every
`safety_interval` even without notifications, so a lost one costs at most that.

**Failure.** `Feed.run` never raises into its caller: on a lost connection it reports
`reconnecting`, then `offline` after `offline_after`, retries forever with capped
backoff, and on return reads from its position, so every change made meanwhile arrives.
A consumer that fails on a batch for any other reason (a bug) is not a lost connection:
redelivering the same batch would fail the same way forever. The batch is skipped, the
state becomes `error` with the reason, and stays so (later batches still flow) until the
consumer has reloaded everything and calls `recovered()`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import psycopg
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from console.clock import Clock, SystemClock
from console.store.audit import CHANNEL
from console.store.event_reader import (
    APPLICATION_NAME,
    EventReader,
    FeedEvent,
    Position,
)

log = logging.getLogger(__name__)

__all__ = [
    "APPLICATION_NAME",
    "CONNECTION_ERRORS",
    "Batch",
    "EventReader",
    "Feed",
    "FeedEvent",
    "FeedState",
    "FeedStatus",
    "Position",
]

#: How often a waiting feed checks whether it was asked to stop (seconds).
STOP_CHECK = 0.25
#: What a lost or refused connection raises: through SQLAlchemy, or from the feed's own
#: psycopg connection.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, psycopg.Error, OSError)


class FeedStatus(StrEnum):
    LIVE = "live"  # push notifications are flowing (Postgres)
    POLLING = "polling"  # reading on a timer (SQLite)
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"  # reconnecting for longer than `offline_after`
    #: A consumer failed on a batch (a bug, not the connection): the batch was skipped,
    #: so what is on screen may miss it until a full reload (`Feed.recovered`).
    ERROR = "error"


@dataclass(frozen=True)
class FeedState:
    status: FeedStatus
    #: When the connection was lost (reconnecting / offline), else None.
    since: datetime | None = None
    #: When the feed last read successfully: the age of what is on screen.
    fresh_at: datetime | None = None
    #: ERROR: what the consumer raised, in one line.
    reason: str | None = None


@dataclass(frozen=True)
class Batch:
    """Events new since the last batch, and the rows they touched (entity, id)."""

    events: tuple[FeedEvent, ...]
    touched: frozenset[tuple[str, int]]

    @classmethod
    def of(cls, events: Iterable[FeedEvent]) -> Batch:
        events = tuple(events)
        return cls(events, frozenset((e.entity, e.entity_id) for e in events))


BatchHandler = Callable[[Batch], None]
StateHandler = Callable[[FeedState], object]


class Feed:
    """A console's feed: call `run` in a thread; it calls back with batches and states.

    Callbacks run on the feed's thread; a UI hands them over to its own thread.
    """

    def __init__(
        self,
        url: URL | str,
        *,
        clock: Clock | None = None,
        poll_interval: float = 0.5,
        safety_interval: float = 5.0,
        offline_after: float = 30.0,
        max_backoff: float = 5.0,
    ) -> None:
        self.reader = EventReader(url)
        self.clock = clock or SystemClock()
        self.poll_interval = poll_interval
        self.safety_interval = safety_interval
        self.offline_after = timedelta(seconds=offline_after)
        self.max_backoff = max_backoff
        self.position: Position | None = None
        self.state = FeedState(FeedStatus.RECONNECTING, since=self.clock.now())
        #: What a consumer raised on a skipped batch, until `recovered()`.
        self.failure: str | None = None
        self._stop = threading.Event()
        #: Work to run on the feed's thread between two reads (`call_soon`).
        self._tasks: deque[Callable[[], None]] = deque()
        self._wake = threading.Event()

    # -- control --------------------------------------------------------------------------

    def start_at(self, after_id: int | None = None) -> list[FeedEvent]:
        """Fix the starting point now (before the caller loads its rows); returns history."""
        self.position, history = self.reader.start(after_id)
        return history

    def recovered(self) -> None:
        """The consumer reloaded everything after a failed batch: back to normal."""
        self.failure = None

    def stop(self) -> None:
        """Ask `run` to return; it does within `STOP_CHECK` or the poll interval."""
        self._stop.set()
        self._wake.set()

    def call_soon(self, task: Callable[[], None]) -> None:
        """Run `task` on the feed's thread, in order with the batches: after everything
        committed so far was delivered, before anything later. Safe from any thread.

        A consumer's full reload goes through here: its rows are then never older than a
        batch delivered before it, and a batch delivered after it re-reads its rows."""
        self._tasks.append(task)
        self._wake.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # -- the loop -------------------------------------------------------------------------

    def run(self, on_batch: BatchHandler, on_state: StateHandler | None = None) -> None:
        """Deliver batches until `stop()`; never raises (errors become states)."""
        notify_state = on_state or (lambda _state: None)
        attempt = 0
        while not self._stop.is_set():
            lost = False
            try:
                if self.position is None:
                    self.start_at(None)
                if self.reader.postgres:
                    self._listen(on_batch, notify_state)
                else:
                    self._poll(on_batch, notify_state)
                attempt = 0
            except CONNECTION_ERRORS as exc:
                log.info("feed lost its connection: %s", exc)
                lost = True
            except Exception:  # the feed's own bug must not kill it: log, retry
                log.exception("feed failed")
                lost = True
            if lost:
                self._close_listener()
                if self._stop.is_set():
                    break
                self._set_lost(notify_state)
                attempt += 1
                delay = min(self.max_backoff, 0.1 * 2 ** min(attempt, 10))
                self._stop.wait(delay * random.uniform(0.8, 1.2))
        self._close_listener()
        self.reader.dispose()

    def _deliver(self, on_batch: BatchHandler, on_state: StateHandler, status: FeedStatus) -> None:
        assert self.position is not None
        # Advance only once the consumer took the batch: if it fails (say its re-read of
        # the touched rows lost the connection) the same events come again after retry.
        position = self.position.copy()
        events = self.reader.read(position)
        now = self.clock.now()
        self._report(on_state, status, now)
        if events:
            try:
                on_batch(Batch.of(events))
            except CONNECTION_ERRORS:
                raise  # the same events come again once the connection is back
            except Exception as exc:
                log.exception("feed consumer failed on events %d-%d", events[0].id, events[-1].id)
                self.failure = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
                self._report(on_state, status, now)
        self.position = position

    def _report(self, on_state: StateHandler, status: FeedStatus, now: datetime) -> None:
        if self.failure is not None:
            status = FeedStatus.ERROR
        state = FeedState(status, None, now, self.failure)
        changed = (
            state.status is not self.state.status
            or self.state.since is not None
            or state.reason != self.state.reason
        )
        self.state = state
        if changed:
            on_state(state)

    def _set_lost(self, on_state: StateHandler) -> None:
        now = self.clock.now()
        since = self.state.since or now
        status = (
            FeedStatus.OFFLINE if now - since >= self.offline_after else FeedStatus.RECONNECTING
        )
        if status is not self.state.status or self.state.since is None:
            self.state = FeedState(status, since, self.state.fresh_at)
            on_state(self.state)

    def _run_tasks(
        self, on_batch: BatchHandler, on_state: StateHandler, status: FeedStatus
    ) -> None:
        if not self._tasks:
            return
        self._deliver(on_batch, on_state, status)  # everything up to now, first
        while self._tasks and not self._stop.is_set():
            task = self._tasks[0]
            try:
                task()
            except CONNECTION_ERRORS:
                raise  # the task stays, and runs once the connection is back
            except Exception:
                log.exception("feed task failed")  # a bug: not run again
            self._tasks.popleft()

    def _poll(self, on_batch: BatchHandler, on_state: StateHandler) -> None:
        while not self._stop.is_set():
            self._deliver(on_batch, on_state, FeedStatus.POLLING)
            self._run_tasks(on_batch, on_state, FeedStatus.POLLING)
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def _listen(self, on_batch: BatchHandler, on_state: StateHandler) -> None:
        # The reader's own connection listens too: one connection per console.
        conn = self.reader.connection()
        conn.execute(f"LISTEN {CHANNEL}")
        # Read once after LISTEN: anything committed before it is caught here.
        self._deliver(on_batch, on_state, FeedStatus.LIVE)
        quiet_since = time.monotonic()
        while not self._stop.is_set():
            # Short waits so stop() is noticed quickly; notifications that arrived during
            # a read wait in psycopg's backlog and are returned here.
            woke = any(True for _note in conn.notifies(timeout=STOP_CHECK, stop_after=1))
            if self._stop.is_set():
                break
            self._run_tasks(on_batch, on_state, FeedStatus.LIVE)
            if woke or time.monotonic() - quiet_since >= self.safety_interval:
                self._deliver(on_batch, on_state, FeedStatus.LIVE)
                quiet_since = time.monotonic()

    def _close_listener(self) -> None:
        self.reader.close_connection()

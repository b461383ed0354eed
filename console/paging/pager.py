"""The pager: escalates what is due, writes shift handoffs, sends the outbox; again and again.

Why: a page exists as rows (written by the command that caused it); something must notice
when an acknowledgement is overdue and must carry the messages out. That is this loop, a
process of its own (`switchboard pager`), restartable at any moment: everything it knows
is in the database, and what it writes is written by store commands in one transaction
each (`commands.escalate_due`, `commands.handoffs_due`), so a pager killed anywhere
repeats nothing but, at most, the one message it had in flight (see
`console.store.outbox`).

How: one `tick` takes the escalation steps due at the clock's now, the handoffs of
on-call shifts that ended, then sends every due message. Between ticks it waits until
the next thing comes due, at most `[pager] poll_interval`; on Postgres it LISTENs on the
event channel, so a new emergency (whose transaction always writes an event) wakes it at
once. Several pagers may run against Postgres: rows are claimed with `SKIP LOCKED`.

How it fails: a database that cannot be reached is logged and retried at the next tick;
a message that cannot be sent is retried with backoff and shown `failed` past the limit.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from console.clock import Clock
from console.outbox.sender import Outcome, Sender
from console.store import commands, outbox
from console.store.audited import CHANNEL
from console.store.db import Database
from console.store.errors import StoreError
from console.store.models_paging import Page

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    escalated: int
    handoffs: int
    outcome: Outcome

    def line(self) -> str:
        o = self.outcome
        return (
            f"escalated {self.escalated}, handoffs {self.handoffs}, sent {o.sent}, "
            f"retrying {o.retried}, failed {o.failed}"
        )


class Pager:
    def __init__(self, database: Database, clock: Clock, sender: Sender, poll: float) -> None:
        self.database, self.clock, self.sender, self.poll = database, clock, sender, poll
        self._stop = threading.Event()
        self._listener: psycopg.Connection[Any] | None = None

    def tick(self) -> TickResult:
        now = self.clock.now()
        with self.database.session() as session:
            escalated = commands.escalate_due(session, now)
        try:
            with self.database.session() as session:
                handoffs = commands.handoffs_due(session, now)
        except StoreError as exc:  # another pager wrote the same handoff first
            log.info("handoffs: %s", exc)
            handoffs = []
        return TickResult(len(escalated), len(handoffs), self.sender.send_due())

    def next_wake(self) -> datetime | None:
        with self.database.reading() as session:
            step = session.scalar(
                select(Page.next_step_at)
                .where(Page.state == "open", Page.next_step_at.is_not(None))
                .order_by(Page.next_step_at)
                .limit(1)
            )
            message = outbox.next_due(session)
        found = [at for at in (step, message) if at is not None]
        return min(found) if found else None

    def stop(self) -> None:
        self._stop.set()

    def run(self, on_tick: Any = None) -> None:
        """Tick until `stop()`; each tick's result goes to `on_tick`."""
        if self.database.engine.dialect.name == "postgresql":
            try:  # listening before the first tick: nothing committed after it is missed
                self._listen()
            except psycopg.Error as exc:
                log.warning("pager: cannot LISTEN (%s); polling", exc)
        while not self._stop.is_set():
            try:
                result = self.tick()
                if on_tick is not None:
                    on_tick(result)
                wake = self.next_wake()
            except (SQLAlchemyError, StoreError, psycopg.Error) as exc:
                log.warning("pager: %s", " ".join(str(exc).split())[:300])
                wake = None
            wait = self.poll
            if wake is not None:
                wait = max(0.0, min(wait, (wake - self.clock.now()).total_seconds()))
            self._wait(wait)
        self._close_listener()

    def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self.database.engine.dialect.name != "postgresql":
            self._stop.wait(seconds)
            return
        try:
            conn = self._listen()
            # Wakes on the first event committed anywhere (a new emergency, an ack, ...).
            for _note in conn.notifies(timeout=seconds, stop_after=1):
                pass
        except psycopg.Error:
            self._close_listener()
            self._stop.wait(seconds)

    def _listen(self) -> psycopg.Connection[Any]:
        if self._listener is None or self._listener.closed:
            url = self.database.engine.url.set(drivername="postgresql")
            self._listener = psycopg.connect(
                url.render_as_string(hide_password=False),
                autocommit=True,
                connect_timeout=5,
                application_name="switchboard-pager",
            )
            self._listener.execute(f"LISTEN {CHANNEL}")
        return self._listener

    def _close_listener(self) -> None:
        conn, self._listener = self._listener, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                conn.close()

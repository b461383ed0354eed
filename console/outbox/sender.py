"""The sender: claims due outbox rows one at a time, sends each, records the outcome.

Why one at a time: the delivery guarantee (`console.store.outbox`) is "at most the message
in flight when a sender is killed goes out twice"; a sender holding one claimed row at a
time keeps that to one message. Several senders may run at once (Postgres), each claiming
different rows.

How it fails: a transport error is recorded on the row (`mark_failed`: retried with
exponential backoff, `failed` past `max_attempts`); a database error ends `send_due` and
is raised to the caller (the pager waits and tries again), the claimed row being retried
after its lease.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from console.clock import Clock
from console.outbox.transports import SendError, Transport
from console.store import outbox
from console.store.db import Database
from console.store.portal_tokens import PORTAL

log = logging.getLogger(__name__)


def sender_name() -> str:
    """host:pid:random, so a restarted sender never takes its dead self's lease for its own."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Outcome:
    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass
class Sender:
    database: Database
    clock: Clock
    transports: dict[str, Transport]
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    retry_base: timedelta = timedelta(seconds=30)
    retry_cap: timedelta = timedelta(minutes=30)
    owner: str = field(default_factory=sender_name)
    #: Written where a queued body says `{portal}` (`[portal] base_url`, issue 16 ack links).
    portal_url: str = "http://127.0.0.1:8080"

    def send_due(self, limit: int = 1000) -> Outcome:
        """Send every message due now (at most `limit`), one at a time."""
        done = Outcome()
        for _ in range(limit):
            with self.database.session() as session:
                claimed = outbox.claim(session, self.owner, self.clock.now(), self.lease)
                if not claimed:
                    break
                self._send(session, claimed[0], done)
        return done

    def _send(self, session: Session, message: outbox.Claimed, done: Outcome) -> None:
        transport = self.transports.get(message.channel)
        try:
            if transport is None:
                raise SendError(f"no transport for channel {message.channel!r}")
            if PORTAL in message.body:
                body = message.body.replace(PORTAL, self.portal_url.rstrip("/"))
                message = dataclasses.replace(message, body=body)
            transport.send(message, self.clock.now())
        except Exception as exc:  # one bad message must not stop the others
            error = str(exc) if isinstance(exc, SendError) else f"{type(exc).__name__}: {exc}"
            state = outbox.mark_failed(
                session,
                message.id,
                self.owner,
                self.clock.now(),
                error,
                max_attempts=self.max_attempts,
                base=self.retry_base,
                cap=self.retry_cap,
            )
            log.warning("outbox %s attempt %s: %s (%s)", message.id, message.attempts, error, state)
            if state == "failed":
                done.failed += 1
            else:
                done.retried += 1
            return
        outbox.mark_sent(session, message.id, self.owner, self.clock.now())
        done.sent += 1

"""A traffic generator: several desk agents at work, through the one write path.

`run(database, clock, rate_per_minute, duration, stop, rng_seed)` takes one action at a
time, about `rate_per_minute` a minute: new calls, voicemails, e-mails and portal
requests (mostly while the desk is open, the odd one after hours), assignments,
responses, escalations, reassignments, technical priorities, work logs, billing notices,
presence changes and resolutions. Each action is one `console.store.commands` call, so
one transaction with its audit events. A stale version (another agent got there first)
is retried once with a fresh read, then skipped; a refusal or a database error is
counted, logged (logger `switchboard.simulator`) and skipped: the generator never stops
on one. It stops when `stop` is set, `duration` seconds have passed, or `max_actions`
attempts were made.

It acts as the desk's staff, never as `signed_in` (the person at the console beside it:
their actions are their own), and in an order a person could have acted: work is logged
only after its request was received, a response and a resolution only after it too.
`SimulatorStatus` tells the caller, from any thread, when a step failed or the loop died.
Here: the loop and its pacing; the actions are `simulate_actions.DeskActions`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.clock import Clock
from console.store.commands import Rules
from console.store.db import Database
from console.store.errors import ConflictError, DatabaseFailure, StoreError
from console.store.models import Contact, Customer, Staff
from console.store.simulate_actions import DeskActions
from console.store.simulate_status import Action, SimulatorStatus, Stats

log = logging.getLogger("switchboard.simulator")


def _weights(text: str) -> dict[str, int]:
    words = text.split()
    return {kind: int(n) for kind, n in zip(words[::2], words[1::2], strict=True)}


#: How often each kind of action is picked while the desk is open, and while it is closed
#: (then mostly nothing happens: only the on-call person answers emergencies and notices).
OPEN_WEIGHTS = _weights(
    "new 22 respond 14 assign 10 presence 14 work 8 resolve 18 escalate 5 reassign 2 "
    "priority 2 billing 5"
)
CLOSED_WEIGHTS = _weights("new 5 respond 3 work 3 resolve 2 billing 6 idle 60")


class Simulator(DeskActions):
    """Picks and takes one action at a time as whoever would do it at the clock's now."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        rules: Rules,
        rng: random.Random,
        on_action: Callable[[Action], None] | None = None,
        *,
        signed_in: str | None = None,
        status: SimulatorStatus | None = None,
    ) -> None:
        super().__init__(clock, rules, rng, signed_in=signed_in)
        self.database = database
        self.on_action = on_action
        self.status = status
        self.stats = Stats()
        self.handlers: dict[str, Callable[[Session, datetime], Action | None]] = {
            name: getattr(self, f"_{name}") for name in OPEN_WEIGHTS
        }

    # -- the loop ------------------------------------------------------------------

    def step(self) -> Action | None:
        """Take one action; returns it, or None when nothing was done."""
        now = self.clock.now()
        if not self.staff and not self._load():
            self.stats.idle += 1
            return None
        self.closed = not self.rules.calendar.is_open(now)
        weights = CLOSED_WEIGHTS if self.closed else OPEN_WEIGHTS
        kinds = list(weights)
        while kinds:
            kind = self.rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
            kinds.remove(kind)
            if kind == "idle":
                break
            for attempt in range(2):
                try:
                    with self.database.session() as session:
                        action = self.handlers[kind](session, now)
                except ConflictError:
                    self.stats.conflicts += 1
                    if attempt == 0:
                        continue
                    return None
                except DatabaseFailure as exc:  # busy, read-only, connection lost...
                    self._failed(exc)
                    return None
                except StoreError:
                    self.stats.refused += 1
                    return None
                except Exception as exc:  # database errors too: a demo never dies; tests count
                    self._failed(exc)
                    return None
                if action is None:
                    break  # nothing of this kind to do: try another kind
                self.stats.actions[action.kind] += 1
                if self.on_action:
                    self.on_action(action)
                return action
        self.stats.idle += 1
        return None

    def _failed(self, exc: BaseException) -> None:
        self.stats.errors += 1
        first = (str(exc).splitlines() or [""])[0][:200]
        self.stats.last_error = f"{type(exc).__name__}: {first}"
        log.error("simulator step failed: %s", self.stats.last_error, exc_info=exc)
        if self.status is not None:
            self.status.report(f"simulator step failed: {self.stats.last_error}")

    def _load(self) -> bool:
        with self.database.session() as session:
            self.staff = {
                h: (i, r, d)
                for h, i, r, d in session.execute(
                    select(Staff.handle, Staff.id, Staff.role, Staff.department).where(Staff.active)
                )
            }
            # The person signed in may still be given work; they are only never acted as.
            self.targets = dict(self.staff)
            self.staff.pop(self.signed_in or "", None)
            self.theirs = (
                self.targets[self.signed_in][0] if self.signed_in in self.targets else None
            )
            for customer_id in session.scalars(select(Customer.id)):
                self.contacts[customer_id] = []
            for cid, contact_id, designated in session.execute(
                select(Contact.customer_id, Contact.id, Contact.designated_for_emergencies)
            ):
                self.contacts[cid].append((contact_id, designated))
        return bool(self.staff and self.contacts)


def run(
    database: Database,
    clock: Clock,
    rate_per_minute: float = 20.0,
    duration: float | None = None,
    stop: threading.Event | None = None,
    rng_seed: int | None = None,
    *,
    rules: Rules | None = None,
    on_action: Callable[[Action], None] | None = None,
    max_actions: int | None = None,
    signed_in: str | None = None,
    status: SimulatorStatus | None = None,
) -> Stats:
    """Act about `rate_per_minute` times a minute (real time) until `stop` is set, after
    `duration` seconds, or after `max_actions` attempts, never as `signed_in`. Returns
    what was done. Failures reach `status` (and the log) as well as the returned stats."""
    if rate_per_minute <= 0:
        raise ValueError("the rate must be above zero actions per minute")
    if rules is None:
        with database.reading() as session:
            rules = Rules.read(session)
    stop = stop or threading.Event()
    simulator = Simulator(
        database,
        clock,
        rules,
        random.Random(rng_seed),
        on_action,
        signed_in=signed_in,
        status=status,
    )
    interval = 60.0 / rate_per_minute
    started = time.monotonic()
    due = started
    attempts = 0
    while not stop.is_set():
        if duration is not None and time.monotonic() - started >= duration:
            break
        if max_actions is not None and attempts >= max_actions:
            break
        simulator.step()
        attempts += 1
        due = max(due + interval, time.monotonic() - interval)  # no burst after a stall
        wait = due - time.monotonic()
        if duration is not None:
            wait = min(wait, started + duration - time.monotonic())
        if wait > 0 and stop.wait(wait):
            break
    simulator.stats.seconds = time.monotonic() - started
    return simulator.stats

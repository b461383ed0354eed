"""Benchmark: a simulated night of paging, and commit-to-page-leaving latency.

What it measures
    1. The night (`night`): 100 emergencies at random instants over 12 closed hours
       (19:00 to 07:00 Chicago), logged through `commands.log_request` with a frozen clock.
       ari is on call all night, abe's shift starts at 07:30, lena is the desk lead; the
       policy is the default (10 minutes, then repeat, next on call, desk lead, the last
       step repeating). Each emergency is acknowledged, by the person paged last, after a
       random delay (55 % within 10 minutes, 20 % 10-20, 10 % 20-30, 5 % 30-60) or never
       (10 %). The clock jumps from one instant to the next (an arrival, an ack, a step
       coming due) and the pager ticks at each (`Pager.tick`, transports recording what
       leaves). A reference model written here from the policy says, for each emergency,
       which step goes to whom at which instant until it is acknowledged (or the night
       ends at 07:00); `as_policy` is the share of emergencies whose pages
       match it exactly (no page missing, none extra, none after the acknowledgement).
    2. Latency (`latency`): a real pager (`Pager.run`, the real clock, default poll
       interval 2 s; on Postgres it also LISTENs) sends through a real SMTP server
       (aiosmtpd on a loopback port) while 100 emergencies are logged at random intervals
       of 0.05-0.5 s. Latency = the instant the server has the page's DATA minus the
       instant `log_request` returned (its commit), one machine, one clock; p50, p99, max.

How to run
    .venv/bin/python benchmarks/paging.py [--database URL] [--emergencies N] [--seed N]

    Without --database: a temporary SQLite file. With a Postgres URL, the database must
    be migrated and empty (e.g. a fresh `createdb` + `switchboard db upgrade`). Human lines
    first; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.smtp import SMTP
from sqlalchemy import func, select, text

from console.clock import FrozenClock, SystemClock
from console.outbox.sender import Sender
from console.outbox.transports import SmtpTransport
from console.paging.pager import Pager
from console.settings import MailSettings
from console.store import commands, schema
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.models_paging import Page

START = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # Wed 19:00 in Chicago: the desk closes
END = START + timedelta(hours=12)
STOP = END  # 07:00: the desk opens
ABE_FROM = END + timedelta(minutes=30)
TIMEOUT = timedelta(minutes=10)


def desk(database: Database) -> None:
    at = START - timedelta(days=1)
    with database.session() as s:
        commands.add_staff(s, None, at, handle="lena", name="Lena", role="lead", department="desk")
        for handle in ("ari", "abe"):
            commands.add_staff(
                s, "lena", at, handle=handle, name=handle, role="agent", department="desk"
            )
        for handle in ("lena", "ari", "abe"):
            commands.set_staff_contact(
                s, "lena", at, handle=handle, email=f"{handle}@x.test", notify=[]
            )
        commands.add_customer(s, "lena", at, municipality="Springfield", liaison="ari")
        commands.add_contact(
            s, "lena", at, customer="Springfield", name="Mayor", phone="555", designated=True
        )
        commands.add_shift(
            s, "lena", at, staff="ari", kind="on-call", starts_at=at, ends_at=ABE_FROM
        )
        commands.add_shift(
            s,
            "lena",
            at,
            staff="abe",
            kind="on-call",
            starts_at=ABE_FROM,
            ends_at=ABE_FROM + timedelta(hours=12),
        )


class Recorder:
    """A transport that notes what left, when (the frozen clock), for which page step."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, int, str, datetime]] = []

    def send(self, message, now: datetime) -> None:
        page = int(message.headers["X-Switchboard-Page"])
        step = int(message.headers["X-Switchboard-Step"])
        self.sent.append((page, step, message.recipient.split("@")[0], now))


def ack_delay(rng: random.Random) -> timedelta | None:
    roll = rng.random()
    for limit, low, high in ((0.55, 0.5, 9.8), (0.75, 10.1, 19.8), (0.85, 20.1, 29.8)):
        if roll < limit:
            return timedelta(minutes=rng.uniform(low, high))
    return timedelta(minutes=rng.uniform(30.1, 59.8)) if roll < 0.90 else None


def expected(opened: datetime, acked: datetime | None) -> list[tuple[int, str, datetime]]:
    """The policy, written out: step k at opened + k * 10 min to ari, ari, abe, lena..."""
    steps, k = [], 0
    while True:
        at = opened + k * TIMEOUT
        if at > STOP or (acked is not None and at >= acked):
            return steps
        who = "ari" if k < 2 else "abe" if k == 2 else "lena"
        steps.append((k, who, at))
        k += 1


def night(database: Database, count: int, rng: random.Random) -> dict[str, object]:
    desk(database)
    clock = FrozenClock(START)
    recorder = Recorder()
    sender = Sender(database, clock, {"email": recorder}, lease=timedelta(minutes=5))
    pager = Pager(database, clock, sender, poll=1.0)
    arrivals = sorted(START + timedelta(seconds=rng.uniform(0, 12 * 3600)) for _ in range(count))
    plans = [(at, ack_delay(rng)) for at in arrivals]
    acks: dict[datetime, int] = {}  # ack instant -> request id
    opened: dict[int, tuple[datetime, datetime | None]] = {}
    pending = list(plans)
    ticks = 0
    while True:
        with database.reading() as s:
            due = s.scalar(select(func.min(Page.next_step_at)).where(Page.state == "open"))
        candidates = [
            t
            for t in (pending[0][0] if pending else None, min(acks, default=None), due)
            if t is not None
        ]
        if not candidates or min(candidates) > STOP:
            break
        now = min(candidates)
        clock.set(now)
        while pending and pending[0][0] == now:
            at, delay = pending.pop(0)
            with database.session() as s:
                view = commands.log_request(
                    s,
                    "lena",
                    now,
                    Rules.defaults(),
                    channel="call",
                    customer="Springfield",
                    summary="site down",
                    contact="Mayor",
                    emergency=True,
                )
            ack_at = now + delay if delay is not None else None
            opened[view.id] = (now, ack_at)
            if ack_at is not None:
                acks[ack_at] = view.id
        for ack_at in [t for t in acks if t == now]:
            rid = acks.pop(ack_at)
            with database.reading() as s:
                page = s.scalar(select(Page).where(Page.request_id == rid))
                who = page.targets["handles"][0]
            with database.session() as s:
                commands.ack_page(s, who, now, request_id=rid)
        pager.tick()
        ticks += 1
    with database.reading() as s:
        page_of = dict(s.execute(select(Page.id, Page.request_id)).all())
    got: dict[int, list[tuple[int, str, datetime]]] = {rid: [] for rid in opened}
    for page, step, who, at in recorder.sent:
        got[page_of[page]].append((step, who, at))
    wrong = [rid for rid in opened if sorted(got[rid]) != expected(*opened[rid])]
    for rid in wrong[:3]:
        print(f"request {rid}: sent {sorted(got[rid])}, policy {expected(*opened[rid])}")
    matching = len(opened) - len(wrong)
    acked = sum(1 for _, a in opened.values() if a is not None and a <= STOP)
    return {
        "emergencies": len(opened),
        "acknowledged": acked,
        "never_acknowledged": len(opened) - acked,
        "pages_sent": len(recorder.sent),
        "as_policy": matching / len(opened),
        "ticks": ticks,
    }


class Sink:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope) -> str:
                for line in envelope.content.decode().splitlines():
                    if line.startswith("Subject: EMERGENCY request "):
                        sink.arrived.setdefault(line.split()[3], time.time())
                return "250 OK"

        async def start():
            return await self.loop.create_server(
                lambda: SMTP(Handler(), hostname="sink"), "127.0.0.1", 0
            )

        server = asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)
        self.port = server.sockets[0].getsockname()[1]


def latency(database: Database, count: int, rng: random.Random) -> dict[str, object]:
    sink = Sink()
    with database.session() as s:  # the night's pages are done with
        s.execute(text("UPDATE pages SET state = 'closed' WHERE state = 'open'"))
        s.execute(text("UPDATE outbox SET state = 'cancelled' WHERE state = 'queued'"))
        s.commit()
    clock = SystemClock()
    mail = MailSettings(host="127.0.0.1", port=sink.port, security="none")
    sender = Sender(database, clock, {"email": SmtpTransport(mail)})
    pager = Pager(database, clock, sender, poll=2.0)
    worker = threading.Thread(target=pager.run, daemon=True)
    worker.start()
    committed: dict[str, float] = {}
    for _ in range(count):
        time.sleep(rng.uniform(0.05, 0.5))
        with database.session() as s:
            view = commands.log_request(
                s,
                "lena",
                clock.now(),
                Rules.defaults(),
                channel="call",
                customer="Springfield",
                summary="site down",
                contact="Mayor",
                emergency=True,
            )
        committed[str(view.id)] = time.time()
    deadline = time.monotonic() + 60
    while len(sink.arrived) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    pager.stop()
    worker.join(10)
    waits = sorted(sink.arrived[r] - committed[r] for r in committed if r in sink.arrived)
    q = statistics.quantiles(waits, n=100, method="inclusive") if len(waits) > 1 else waits * 99
    return {
        "pages": len(waits),
        "lost": count - len(waits),
        "p50_s": round(statistics.median(waits), 3),
        "p99_s": round(q[98], 3),
        "max_s": round(waits[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a migrated, empty database (default: temp SQLite)")
    parser.add_argument("--emergencies", type=int, default=100)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/paging.sqlite3"
        database = open_database(url)
        if not args.database:
            schema.upgrade(database.engine)
        try:
            started = time.monotonic()
            n = night(database, args.emergencies, rng)
            n["seconds"] = round(time.monotonic() - started, 1)
            print(f"night: {n}")
            lat = latency(database, args.emergencies, rng)
            print(f"latency: {lat}")
        finally:
            database.dispose()
    backend = "postgres" if url.startswith("postgresql") else "sqlite"
    print(json.dumps({"benchmark": "paging", "backend": backend, "night": n, "latency": lat}))


if __name__ == "__main__":
    main()

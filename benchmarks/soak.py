"""Soak (issue 8): a whole desk writing for ten minutes while five consoles follow it.

What it does
    One fresh Postgres database on 127.0.0.1 (``switchboard_bench_soak_<hex>``, created
    here and dropped at the end, on an error, Ctrl-C, SIGTERM or SIGHUP), migrated and
    seeded with the demo desk (``console.store.demo.seed``: 12 staff, 30 municipalities,
    shifts, ~40 open requests). Then, for ``--minutes`` (10) or ``--seconds``:

    - **writers**: one process running the simulator (``console.store.simulate.run``,
      the write path) as ``--agents`` (10) threads, each with its own engine and random
      seed, together ``--rate`` (300) actions a minute, their starts staggered;
    - **consoles**: ``--consoles`` (5) processes (multiprocessing, spawn), each running
      the real app (``make_app``) headless with ``App.run_test(size=(160, 45))`` and the
      real Postgres feed (LISTEN/NOTIFY plus the 5 s safety read), signed in as a
      different member of the desk.

    Every process reads the same desk clock: Wednesday 2 December 2026, 10:00 Chicago at
    the start, running at real speed, so the desk is open throughout whatever the date.

What is measured, per console
    - **memory**: resident set size (psutil when installed, else ``/proc/self/statm``)
      every ``sample`` seconds; the baseline is the sample due ``baseline`` seconds in,
      the end is the sample when the writers' time is up. ``sample`` is min(60, S/6) and
      ``baseline`` min(60, S/3) for a run of S seconds: every minute and after the first
      minute for the 10-minute soak; every 10 s and after the first 20 s for a 60 s run
      (a minute-one baseline would leave no time to compare against). The baseline is
      picked by its number (the 1st of the soak, the 2nd of a 60 s run), not by the time
      it was taken: on a loaded machine a sample arrives late (21.2 s for 20).
    - **CPU**: the process's CPU time (``time.process_time()``, every thread: UI, feed,
      board reads) over the run, per minute.
    - **events**: the feed is the app's own ``Feed`` with two observers added by
      subclassing (the app is not changed): ``start_at`` notes the starting position
      (horizon and the ids already seen above it), and ``run`` wraps the batch handler
      to note the ids of every batch the console took (after the handler returned; a
      batch whose handler failed is delivered again and is not counted). A
      ``run_test(message_hook=...)`` counts the events of every ``BoardChanged``
      message the app dispatched. The events the console had to get are those not
      visible in its starting snapshot (transaction id at or above the horizon and not
      already seen); missed = those never delivered; duplicated = deliveries beyond the
      first of an id, plus deliveries of events from before the start; and every
      delivered event must have been dispatched to the app.

At the end
    The writers stop; each console waits (at most ``--settle`` seconds, 60) until its
    feed delivered every event in the database it should have and the app dispatched
    them, then sends its queue (request rows) and its three escalation panes' rows. The
    main process compares them with a fresh ``Board.load`` of the now quiet database,
    row for row: ids and versions, and the whole rows too.

    Criteria: every console equal to the database; no event missed or duplicated;
    each console's end RSS within 10 % of its baseline. CPU and write rates are
    reported, never judged. A human summary, then one JSON line last; the exit status
    is 1 when a criterion fails.

How to run
    /work/venv/bin/python benchmarks/soak.py [--minutes 10 | --seconds 60] [--consoles 5]
        [--agents 10] [--rate 300] [--server postgresql+psycopg://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from benchmarks.desks import SERVER, TemporaryPostgres
from console.domain.policy import Policy
from console.settings import load_settings
from console.store import demo, schema, simulate
from console.store.board import Board
from console.store.commands import Rules
from console.store.db import open_database
from console.store.feed import Batch, BatchHandler, Feed, FeedEvent, StateHandler
from console.ui.app import Identity, make_app
from console.ui.live import BoardChanged, BoardLoaded
from console.ui.widgets.escalations import EscalationPane
from console.ui.widgets.queue_pane import QueuePane

#: Wednesday 2 December 2026, 10:00 in Chicago: the desk is open for hours after it.
DESK_START = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
#: Who the consoles are signed in as (the demo desk's lead, dispatchers, tech lead, agent).
HANDLES = ("rhernandez", "dkim", "pwalsh", "bchen", "jcarter", "emiller", "tnguyen")
#: End RSS may differ from the baseline by at most this fraction.
MEMORY_TOLERANCE = 0.10


# -- shared pieces ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskClock:
    """Desk time `start` when the wall clock read `anchor` (epoch seconds), then real
    speed: every process builds the same clock from the same two values."""

    start: datetime
    anchor: float

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.time() - self.anchor)


@dataclass(frozen=True)
class Plan:
    seconds: float
    consoles: int
    agents: int
    rate: float
    settle: float

    @property
    def sample_every(self) -> float:
        return min(60.0, self.seconds / 6)

    @property
    def baseline_at(self) -> float:
        return min(60.0, self.seconds / 3)

    @property
    def baseline_sample(self) -> int:
        """Which sample (from 1) is the memory baseline: the one due at `baseline_at`."""
        return max(1, round(self.baseline_at / self.sample_every))


def rss_bytes() -> int:
    """This process's resident set size."""
    try:
        import psutil  # type: ignore[import-not-found]
    except ImportError:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return int(psutil.Process().memory_info().rss)


def _mb(value: float) -> float:
    return round(value / 2**20, 1)


# -- a console ------------------------------------------------------------------------------


class CountingFeed(Feed):
    """The app's feed, unchanged, with what it delivered written down."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_horizon: int | None = None
        self.start_seen: frozenset[int] = frozenset()
        self.delivered: list[int] = []
        self.batches = 0
        self._lock = threading.Lock()

    def start_at(self, after_id: int | None = None) -> list[FeedEvent]:
        history = super().start_at(after_id)
        assert self.position is not None
        self.start_horizon = self.position.horizon
        self.start_seen = frozenset(self.position.seen) - {e.id for e in history}
        return history

    def run(self, on_batch: BatchHandler, on_state: StateHandler | None = None) -> None:
        def counted(batch: Batch) -> None:
            on_batch(batch)  # raises: the feed delivers the batch again, not counted here
            with self._lock:
                self.delivered.extend(e.id for e in batch.events)
                self.batches += 1

        super().run(counted, on_state)

    def delivered_ids(self) -> list[int]:
        with self._lock:
            return list(self.delivered)


def _expected_events(url: str, horizon: int, seen: frozenset[int]) -> set[int]:
    """Ids of the events this console's feed had to deliver: not in its first snapshot."""
    database = open_database(url)
    try:
        with database.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id FROM events WHERE transaction_id >= :h"), {"h": horizon}
            )
            return {row[0] for row in rows} - seen
    finally:
        database.dispose()


async def _until(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


def console_main(
    url: str, index: int, clock: DeskClock, plan: Plan, sync: dict[str, Any], out: Any
) -> None:
    """One console in its own process; puts one dict of results on `out`."""
    try:
        out.put(_console(url, index, clock, plan, sync))
    except BaseException:
        out.put({"index": index, "error": traceback.format_exc()})
        raise


def _console(
    url: str, index: int, clock: DeskClock, plan: Plan, sync: dict[str, Any]
) -> dict[str, Any]:
    settings = load_settings()
    database = open_database(url)
    feed = CountingFeed(
        url,
        clock=clock,
        poll_interval=settings.feed.poll_interval,
        safety_interval=settings.feed.safety_interval,
        offline_after=settings.feed.offline_after,
    )
    handle = HANDLES[index % len(HANDLES)]
    app = make_app(settings, database, clock, Identity(handle), feed=feed)
    seen = {"events": 0, "messages": 0, "loads": 0}

    def hook(message: object) -> None:
        if isinstance(message, BoardChanged):
            seen["events"] += message.events
            seen["messages"] += 1
        elif isinstance(message, BoardLoaded):
            seen["loads"] += 1

    result: dict[str, Any] = {"index": index, "handle": handle}

    async def scenario() -> None:
        async with app.run_test(size=(160, 45), message_hook=hook) as pilot:
            if not await _until(lambda: app.loaded, 180):
                raise TimeoutError("the console did not load in 180 s")
            result["rss_loaded_mb"] = _mb(rss_bytes())
            sync["ready"].put(index)
            if not await asyncio.to_thread(sync["go"].wait, 300):
                raise TimeoutError("never told to start")
            started, cpu0 = time.monotonic(), time.process_time()
            samples: list[dict[str, float]] = []
            for n in range(1, round(plan.seconds / plan.sample_every) + 1):
                due = started + n * plan.sample_every
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                samples.append(
                    {
                        "at_s": round(time.monotonic() - started, 1),
                        "rss_mb": _mb(rss_bytes()),
                        "cpu_s": round(time.process_time() - cpu0, 3),
                    }
                )
            result["samples"] = samples
            result["cpu_s"] = round(time.process_time() - cpu0, 3)
            result["measured_s"] = round(time.monotonic() - started, 1)
            # The writers stop; then everything this console should have is taken.
            await asyncio.to_thread(sync["writers_done"].wait, plan.settle + 120)
            assert feed.start_horizon is not None
            expected = await asyncio.to_thread(
                _expected_events, url, feed.start_horizon, feed.start_seen
            )
            settle_started = time.monotonic()

            def settled() -> bool:
                delivered = feed.delivered_ids()
                return expected <= set(delivered) and seen["events"] == len(delivered)

            result["settled"] = await _until(settled, plan.settle, step=0.1)
            await pilot.pause()  # let a handler that is under way finish
            result["settle_s"] = round(time.monotonic() - settle_started, 2)
            queue_rows = app.query_one(QueuePane).model.rows
            result["requests"] = dict(queue_rows)
            escalations: dict[int, Any] = {}
            for pane in app.query(EscalationPane):
                escalations.update(pane.rows)
            result["escalations"] = escalations
            result["delivered"] = feed.delivered_ids()
            result["batches"] = feed.batches
            result["start_horizon"] = feed.start_horizon
            result["start_seen"] = sorted(feed.start_seen)
            result["applied_events"] = seen["events"]
            result["applied_messages"] = seen["messages"]
            result["loads"] = seen["loads"]
            result["feed_status"] = str(feed.state.status)

    try:
        asyncio.run(scenario())
    finally:
        database.dispose()
    return result


# -- the writers ---------------------------------------------------------------------------


def writers_main(url: str, clock: DeskClock, plan: Plan, sync: dict[str, Any], out: Any) -> None:
    """The simulator as `plan.agents` threads at `plan.rate` a minute together."""
    try:
        out.put(_writers(url, clock, plan, sync))
    except BaseException:
        out.put({"error": traceback.format_exc()})
        raise


def _writers(url: str, clock: DeskClock, plan: Plan, sync: dict[str, Any]) -> dict[str, Any]:
    rules = Rules.defaults()
    each = plan.rate / plan.agents
    stats: list[simulate.Stats | None] = [None] * plan.agents
    stop = threading.Event()
    databases = [open_database(url) for _ in range(plan.agents)]

    def agent(n: int) -> None:
        # Staggered: the agents' writes spread over each one's interval, not in bursts.
        offset = n * 60.0 / plan.rate
        if stop.wait(offset):
            return
        stats[n] = simulate.run(
            databases[n],
            clock,
            rate_per_minute=each,
            duration=plan.seconds - offset,
            stop=stop,
            rng_seed=1000 + n,
            rules=rules,
        )

    threads = [
        threading.Thread(target=agent, args=(n,), name=f"agent-{n}") for n in range(plan.agents)
    ]
    if not sync["go"].wait(300):
        raise TimeoutError("never told to start")
    started, cpu0 = time.monotonic(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(plan.seconds + 60)
    stop.set()
    for database in databases:
        database.dispose()
    done = [s for s in stats if s is not None]
    errors = [s.last_error for s in done if s.last_error]
    return {
        "writes": sum(s.total for s in done),
        "conflicts": sum(s.conflicts for s in done),
        "refused": sum(s.refused for s in done),
        "idle": sum(s.idle for s in done),
        "errors": sum(s.errors for s in done),
        "last_error": errors[-1] if errors else None,
        "agents_finished": len(done),
        "seconds": round(time.monotonic() - started, 1),
        "cpu_s": round(time.process_time() - cpu0, 2),
    }


# -- the main process ----------------------------------------------------------------------


def _terminate(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


class Soak:
    """Creates the database, runs writers and consoles, and judges the outcome."""

    def __init__(self, server: str, plan: Plan) -> None:
        self.plan = plan
        self.databases = TemporaryPostgres("switchboard_bench_soak", server)
        self.processes: list[multiprocessing.process.BaseProcess] = []

    def run(self) -> dict[str, Any]:
        try:
            self.name = self.databases.create()
            self.url = self.databases.url(self.name)
            return self._run()
        finally:
            for process in self.processes:
                if process.is_alive():
                    process.kill()
                    process.join(5)
            self.databases.close()

    def _run(self) -> dict[str, Any]:
        plan = self.plan
        began = time.monotonic()
        load_start = [round(x, 2) for x in os.getloadavg()]
        database = open_database(self.url)
        schema.upgrade(database.engine)
        seeded = demo.seed(database, DESK_START, rules=Rules.defaults())
        log(f"database {self.name}: {seeded.line()}")
        clock = DeskClock(DESK_START, time.time())
        context = multiprocessing.get_context("spawn")
        sync = {
            "go": context.Event(),
            "writers_done": context.Event(),
            "ready": context.Queue(),
        }
        out, writer_out = context.Queue(), context.Queue()
        for index in range(plan.consoles):
            process = context.Process(
                target=console_main,
                args=(self.url, index, clock, plan, sync, out),
                name=f"console-{index}",
            )
            process.start()
            self.processes.append(process)
        writer = context.Process(
            target=writers_main, args=(self.url, clock, plan, sync, writer_out), name="writers"
        )
        writer.start()
        self.processes.append(writer)
        self._wait_ready(sync["ready"], out, plan.consoles)
        setup_s = time.monotonic() - began
        log(f"{plan.consoles} consoles loaded in {setup_s:.1f} s; soaking for {plan.seconds:.0f} s")
        events_before = self._count_events(database)
        sync["go"].set()
        writers = writer_out.get(timeout=plan.seconds + 180)
        writer.join(30)
        sync["writers_done"].set()
        if "error" in writers:
            raise RuntimeError(f"the writers failed:\n{writers['error']}")
        events_written = self._count_events(database) - events_before
        log(
            f"writers done: {writers['writes']} writes, {events_written} events in "
            f"{writers['seconds']} s"
        )
        consoles = []
        for _ in range(plan.consoles):
            consoles.append(out.get(timeout=plan.settle + 180))
        consoles.sort(key=lambda r: r["index"])
        failed = [c for c in consoles if "error" in c]
        if failed:
            raise RuntimeError(f"console {failed[0]['index']} failed:\n{failed[0]['error']}")
        today = Policy.defaults().calendar.local_date(clock.now())
        truth = Board(database).load(clock.now(), today)
        with database.engine.connect() as connection:
            events = dict(connection.execute(text("SELECT id, transaction_id FROM events")).all())
        database.dispose()
        judged = [judge(c, truth, events, plan) for c in consoles]
        load_end = [round(x, 2) for x in os.getloadavg()]
        return summarise(
            plan, writers, events_written, judged, truth, setup_s, began, load_start, load_end
        )

    def _wait_ready(self, ready: Any, out: Any, count: int, timeout: float = 300) -> None:
        """Until `count` consoles loaded; a console that failed meanwhile stops the wait."""
        deadline, loaded = time.monotonic() + timeout, 0
        while loaded < count:
            try:
                ready.get(timeout=1)
                loaded += 1
            except queue.Empty:
                dead = [p.name for p in self.processes if p.exitcode not in (None, 0)]
                if dead or time.monotonic() > deadline:
                    error = out.get(timeout=5)["error"] if dead else "timed out"
                    names = ", ".join(dead)
                    raise RuntimeError(f"consoles did not load ({names}): {error}") from None

    @staticmethod
    def _count_events(database: Any) -> int:
        with database.engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM events")).scalar_one())


def judge(
    console: dict[str, Any], truth: Any, events: dict[int, int], plan: Plan
) -> dict[str, Any]:
    """One console's figures and verdicts against the database."""
    horizon, seen = console["start_horizon"], set(console["start_seen"])
    expected = {i for i, xid in events.items() if xid is not None and xid >= horizon} - seen
    delivered = console["delivered"]
    unique = set(delivered)
    duplicated = (len(delivered) - len(unique)) + len(unique - expected)
    missed = len(expected - unique)
    requests, escalations = console["requests"], console["escalations"]
    versions = (
        {i: r.version for i, r in requests.items()}
        == {i: r.version for i, r in truth.requests.items()}
    ) and (
        {i: e.version for i, e in escalations.items()}
        == {i: e.version for i, e in truth.escalations.items()}
    )
    rows_differ = sum(
        requests.get(i) != truth.requests.get(i) for i in requests.keys() | truth.requests.keys()
    ) + sum(
        escalations.get(i) != truth.escalations.get(i)
        for i in escalations.keys() | truth.escalations.keys()
    )
    samples = console["samples"]
    baseline = samples[min(plan.baseline_sample, len(samples)) - 1]
    end = samples[-1]
    ratio = end["rss_mb"] / baseline["rss_mb"]
    minutes = console["measured_s"] / 60
    previous = 0.0
    per_interval = []
    for sample in samples:
        per_interval.append(round((sample["cpu_s"] - previous) * 60 / plan.sample_every, 2))
        previous = sample["cpu_s"]
    return {
        "handle": console["handle"],
        "requests": len(requests),
        "escalations": len(escalations),
        "equal": versions and rows_differ == 0,
        "versions_equal": versions,
        "rows_differing": rows_differ,
        "events_expected": len(expected),
        "events_delivered": len(delivered),
        "events_dispatched": console["applied_events"],
        "batches": console["batches"],
        "missed": missed,
        "duplicated": duplicated,
        "undispatched": len(delivered) - console["applied_events"],
        "settled": console["settled"],
        "settle_s": console["settle_s"],
        "loads": console["loads"],
        "feed_status": console["feed_status"],
        "rss_loaded_mb": console["rss_loaded_mb"],
        "rss_baseline_mb": baseline["rss_mb"],
        "rss_baseline_at_s": baseline["at_s"],
        "rss_baseline_sample": samples.index(baseline) + 1,
        "rss_end_mb": end["rss_mb"],
        "rss_ratio": round(ratio, 3),
        "rss_samples_mb": [s["rss_mb"] for s in samples],
        "memory_ok": abs(ratio - 1) <= MEMORY_TOLERANCE,
        "cpu_s": console["cpu_s"],
        "cpu_s_per_min": round(console["cpu_s"] / minutes, 2),
        "cpu_s_per_min_by_interval": per_interval,
    }


def summarise(
    plan: Plan,
    writers: dict[str, Any],
    events_written: int,
    consoles: list[dict[str, Any]],
    truth: Any,
    setup_s: float,
    began: float,
    load_start: list[float],
    load_end: list[float],
) -> dict[str, Any]:
    criteria = {
        "equal": all(c["equal"] for c in consoles),
        "no_missed": all(c["missed"] == 0 for c in consoles),
        "no_duplicated": all(c["duplicated"] == 0 for c in consoles),
        "all_dispatched": all(c["undispatched"] == 0 for c in consoles),
        "memory_within_10pct": all(c["memory_ok"] for c in consoles),
    }
    return {
        "benchmark": "soak",
        "backend": "postgres",
        "seconds": plan.seconds,
        "consoles": plan.consoles,
        "agents": plan.agents,
        "target_writes_per_min": plan.rate,
        "writes": writers["writes"],
        "writes_per_min": round(writers["writes"] * 60 / writers["seconds"], 1),
        "writer_conflicts": writers["conflicts"],
        "writer_refused": writers["refused"],
        "writer_errors": writers["errors"],
        "writer_last_error": writers["last_error"],
        "writer_cpu_s": writers["cpu_s"],
        "events_written": events_written,
        "open_requests_end": len(truth.requests),
        "open_escalations_end": len(truth.escalations),
        "memory_baseline_at_s": plan.baseline_at,
        "sample_every_s": plan.sample_every,
        "per_console": consoles,
        "equal": criteria["equal"],
        "missed": sum(c["missed"] for c in consoles),
        "duplicated": sum(c["duplicated"] for c in consoles),
        "rss_ratio_max": max(c["rss_ratio"] for c in consoles),
        "rss_ratio_min": min(c["rss_ratio"] for c in consoles),
        "cpu_s_per_console_per_min": [c["cpu_s_per_min"] for c in consoles],
        "criteria": criteria,
        "pass": all(criteria.values()),
        "setup_s": round(setup_s, 1),
        "wall_s": round(time.monotonic() - began, 1),
        "cpus": os.cpu_count(),
        "loadavg_start": load_start,
        "loadavg_end": load_end,
    }


def print_summary(result: dict[str, Any]) -> None:
    print(
        f"\nsoak: {result['consoles']} consoles, {result['agents']} agents, "
        f"{result['seconds']:.0f} s on Postgres ({result['cpus']} CPUs, load average "
        f"{result['loadavg_start']} -> {result['loadavg_end']})"
    )
    print(
        f"writes: {result['writes']} ({result['writes_per_min']}/min, target "
        f"{result['target_writes_per_min']:.0f}); {result['events_written']} events; "
        f"{result['writer_conflicts']} conflicts, {result['writer_refused']} refused, "
        f"{result['writer_errors']} errors; {result['open_requests_end']} open requests, "
        f"{result['open_escalations_end']} open escalations at the end"
    )
    print(
        f"memory baseline after {result['memory_baseline_at_s']:.0f} s, "
        f"samples every {result['sample_every_s']:.0f} s"
    )
    header = (
        f"{'console':<11} {'equal':>5} {'expected':>8} {'delivered':>9} {'missed':>6} "
        f"{'dup':>4} {'RSS base':>8} {'RSS end':>8} {'ratio':>6} {'CPU-s/min':>9}"
    )
    print(header)
    for c in result["per_console"]:
        print(
            f"{c['handle']:<11} {'yes' if c['equal'] else 'NO':>5} {c['events_expected']:>8} "
            f"{c['events_delivered']:>9} {c['missed']:>6} {c['duplicated']:>4} "
            f"{c['rss_baseline_mb']:>8} {c['rss_end_mb']:>8} {c['rss_ratio']:>6} "
            f"{c['cpu_s_per_min']:>9}"
        )
    verdicts = ", ".join(f"{k} {'ok' if v else 'FAILED'}" for k, v in result["criteria"].items())
    print(f"criteria: {verdicts}; {'PASS' if result['pass'] else 'FAIL'}")


def log(line: str) -> None:
    print(f"soak: {line}", flush=True)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    length.add_argument("--seconds", type=float, help="how long, in seconds (the test's 60)")
    parser.add_argument("--consoles", type=int, default=5)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--rate", type=float, default=300.0, help="writes a minute, together")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds to catch up at most")
    parser.add_argument("--server", default=SERVER, help="Postgres server (a database is made)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    seconds = options.seconds if options.seconds is not None else options.minutes * 60
    if seconds < 6 or options.consoles < 1 or options.agents < 1 or options.rate <= 0:
        print("soak: need at least 6 s, one console, one agent and a rate", file=sys.stderr)
        return 2
    plan = Plan(seconds, options.consoles, options.agents, options.rate, options.settle)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    try:
        result = Soak(options.server, plan).run()
    except KeyboardInterrupt:
        print("\nsoak: interrupted; the database was dropped", file=sys.stderr)
        return 130
    except (RuntimeError, queue.Empty, TimeoutError) as exc:
        print(f"soak: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        print(json.dumps({"benchmark": "soak", "pass": False, "error": str(exc)}))
        return 1
    print_summary(result)
    print(json.dumps(result))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())

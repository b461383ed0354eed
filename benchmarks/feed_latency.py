"""Benchmark: commit-to-delivery latency of the live event feed (`console.store.feed.Feed`).

What it measures
    For every scenario (backend x rate x listeners), the main process appends events on a
    fixed schedule (event n due at start + n / rate) for a fixed duration, each event in
    its own transaction through ``console.store.audit.record`` (which also sends
    ``pg_notify`` on Postgres), and notes ``time.time()`` right after the commit returns.
    Four writer threads share the schedule, so one slow commit (fsync) does not hold it
    back; ``ach/s`` shows the rate actually achieved. Each listener is a separate process
    (``multiprocessing``, spawn) running one ``Feed`` in a thread, exactly as a console
    does (``Feed(url)``, ``start_at(None)``, ``run(on_batch, on_state)``), and notes, for
    every event it receives, the event id and ``time.time()`` on entry to ``on_batch``.
    Latency = delivery time - commit time (one machine, one clock). It reports p50, p99
    and max over all deliveries of all listeners, and checks that every listener got
    every written event exactly once (``lost`` and ``duplicated`` are summed over
    listeners; ``unexpected`` counts deliveries of ids the writer did not write).

    Postgres: 10, 100 and 500 events/s with 1 and 20 listeners, on a fresh temporary
    database (random name) on 127.0.0.1, migrated with ``console.store.schema.upgrade``
    and dropped at the end, also on error or Ctrl-C. SQLite: 10 and 100 events/s with 1
    and 20 listeners, on a temporary file migrated the same way, polled every 0.5 s (the
    Feed default). The writer starts only when every listener reported LIVE / POLLING;
    at the end the listeners get time to drain (until each has every event, or a
    timeout longer than the safety poll / poll interval).

    Extra columns help to see where the time goes: ``wr ms`` is the writer's p50
    transaction (begin to commit returned), ``reads/ev`` how many feed reads one listener
    made per event, ``read p50`` / ``read p99`` the duration of one such read (measured by
    wrapping ``EventReader.read`` in the listener process; nothing else is changed), and
    ``load`` the 1-minute load average when the writer started: this machine is shared,
    and other work running at the same time shows there.

How to run
    /work/venv/bin/python benchmarks/feed_latency.py [--duration SECONDS] [--quick]
        [--only postgres|sqlite]

    ``--duration`` is the writing time per scenario (default 5 s); ``--quick`` writes for
    1 s per scenario. Needs PostgreSQL on 127.0.0.1 (user postgres, trust auth) for the
    Postgres scenarios. Human-readable lines come first; the last line printed is one
    JSON object with every scenario.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import multiprocessing.context
import multiprocessing.process
import multiprocessing.queues
import multiprocessing.synchronize
import os
import queue
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks, the package

from benchmarks.desks import temporary_postgres, temporary_sqlite
from console.store import audit
from console.store.db import create_database_engine, parse_url
from console.store.feed import Batch, Feed, FeedEvent, FeedState, FeedStatus, Position

POSTGRES_SCENARIOS = [(rate, n) for rate in (10, 100, 500) for n in (1, 20)]
SQLITE_SCENARIOS = [(rate, n) for rate in (10, 100) for n in (1, 20)]
#: The Feed defaults the listeners run with (the console's settings).
POLL_INTERVAL = 0.5
SAFETY_INTERVAL = 5.0
#: Targets from issue 4.
PG_P99_TARGET_MS = 25.0
SQLITE_P99_TARGET_MS = POLL_INTERVAL * 1000 + 50.0
READY_TIMEOUT = 120.0
SETTLE = 0.5  # after every listener is ready, before writing: spawn noise dies down
GRACE = 0.3  # after every listener has every event: a late duplicate still shows
STOP_TIMEOUT = 10.0  # for all listeners to exit once stopped, before they are terminated
#: Writer threads sharing one schedule (one commit fsyncs; 500/s needs more than one).
WRITER_THREADS = 4
AT = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)


# -- the listener process ---------------------------------------------------------------


@dataclass
class ListenerResult:
    index: int
    ids: list[int]
    times: list[float]
    batches: int
    read_seconds: list[float]
    states: list[str]
    error: str | None = None


def listener_main(
    index: int,
    url: str,
    ready: Any,
    counts: Any,
    stop: multiprocessing.synchronize.Event,
    results: multiprocessing.queues.Queue[ListenerResult],
) -> None:
    """One console: a Feed in a thread, recording (id, time.time()) per delivered event."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    ids: list[int] = []
    times: list[float] = []
    read_seconds: list[float] = []
    states: list[str] = []
    batches = 0
    try:
        feed = Feed(url, poll_interval=POLL_INTERVAL, safety_interval=SAFETY_INTERVAL)
        reader_read = feed.reader.read

        def timed_read(position: Position) -> list[FeedEvent]:
            started = time.perf_counter()
            try:
                return reader_read(position)
            finally:
                read_seconds.append(time.perf_counter() - started)

        feed.reader.read = timed_read  # type: ignore[method-assign]
        feed.start_at(None)

        def on_batch(batch: Batch) -> None:
            nonlocal batches
            now = time.time()
            batches += 1
            for event in batch.events:
                ids.append(event.id)
                times.append(now)
            counts[index] = len(ids)

        def on_state(state: FeedState) -> None:
            states.append(state.status.value)
            if state.status in (FeedStatus.LIVE, FeedStatus.POLLING):
                ready[index] = 1

        thread = threading.Thread(target=feed.run, args=(on_batch, on_state), daemon=True)
        thread.start()
        stop.wait()
        feed.stop()
        thread.join(timeout=10)
        error = "feed thread did not stop" if thread.is_alive() else None
    except Exception as exc:  # reported to the parent, which counts this listener as failed
        error = f"{type(exc).__name__}: {exc}"
    results.put(ListenerResult(index, ids, times, batches, read_seconds, states, error))


# -- the writer -------------------------------------------------------------------------


def write_events(
    engine: Engine, rate: int, duration: float, threads: int
) -> tuple[list[int], list[float], list[float]]:
    """`rate * duration` events on a fixed schedule, one transaction each.

    Event n is due at start + n / rate; `threads` writer threads take the next due event
    in turn, so one slow commit (an fsync) does not hold the schedule back. Returns the
    ids, `time.time()` right after each commit, and each transaction's duration (begin
    to commit returned, seconds), in commit-recording order.
    """
    count = max(1, round(rate * duration))
    ids: list[int] = []
    committed: list[float] = []
    spent: list[float] = []
    lock = threading.Lock()
    upcoming = iter(range(count))
    start = time.perf_counter() + 0.01
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with Session(engine) as session:
                while True:
                    with lock:
                        n = next(upcoming, None)
                    if n is None:
                        return
                    delay = start + n / rate - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    began = time.perf_counter()
                    with session.begin():
                        event_id = audit.record(
                            session,
                            actor="benchmark",
                            at=AT,
                            kind="benchmark.write",
                            entity="requests",
                            entity_id=n,
                            before=None,
                            after={"n": n},
                        )
                    done_at = time.time()
                    took = time.perf_counter() - began
                    with lock:
                        ids.append(event_id)
                        committed.append(done_at)
                        spent.append(took)
        except BaseException as exc:  # re-raised in the caller's thread
            failures.append(exc)

    workers = [threading.Thread(target=writer, name=f"writer-{i}") for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]
    return ids, committed, spent


# -- one scenario -----------------------------------------------------------------------


@dataclass
class Scenario:
    backend: str
    rate: int
    listeners: int
    events: int = 0
    achieved_rate: float = 0.0
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    max_ms: float = math.nan
    lost: int = 0
    duplicated: int = 0
    unexpected: int = 0
    failed_listeners: int = 0
    drained_s: float = 0.0
    write_p50_ms: float = math.nan
    reads_per_event: float = math.nan
    read_p50_ms: float = math.nan
    read_p99_ms: float = math.nan
    #: The machine's 1-minute load average when the writer started (a shared machine).
    load_1m: float = math.nan

    def as_json(self) -> dict[str, Any]:
        def clean(value: Any) -> Any:
            if isinstance(value, float):
                return None if math.isnan(value) else round(value, 3)
            return value

        return {key: clean(value) for key, value in vars(self).items()}


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence (nan when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def run_scenario(
    ctx: multiprocessing.context.SpawnContext,
    url: str,
    writer_engine: Engine,
    scenario: Scenario,
    duration: float,
    drain_timeout: float,
) -> Scenario:
    n = scenario.listeners
    ready = ctx.Array("b", n, lock=False)
    counts = ctx.Array("q", n, lock=False)
    stop = ctx.Event()
    results: multiprocessing.queues.Queue[ListenerResult] = ctx.Queue()
    processes = [
        ctx.Process(
            target=listener_main,
            args=(i, url, ready, counts, stop, results),
            name=f"feed-listener-{i}",
            daemon=True,
        )
        for i in range(n)
    ]
    collected: list[ListenerResult] = []
    try:
        for process in processes:
            process.start()
        deadline = time.monotonic() + READY_TIMEOUT
        while not all(ready[:]):
            dead = [p.name for p in processes if p.exitcode is not None]
            if dead:
                raise RuntimeError(f"listener(s) exited before ready: {', '.join(dead)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {sum(ready[:])} of {n} listeners got ready")
            time.sleep(0.02)
        time.sleep(SETTLE)

        scenario.load_1m = round(os.getloadavg()[0], 2)
        written, committed, spent = write_events(
            writer_engine, scenario.rate, duration, WRITER_THREADS
        )
        finished = time.monotonic()
        while min(counts[:]) < len(written) and time.monotonic() - finished < drain_timeout:
            time.sleep(0.01)
        scenario.drained_s = time.monotonic() - finished
        time.sleep(GRACE)
        stop.set()
        for _ in processes:
            try:
                collected.append(results.get(timeout=30))
            except queue.Empty:
                break
    finally:
        wind_down(processes, stop, results)
    return analyse(scenario, written, committed, spent, collected, duration)


def wind_down(
    processes: Sequence[multiprocessing.process.BaseProcess],
    stop: multiprocessing.synchronize.Event,
    results: multiprocessing.queues.Queue[ListenerResult],
) -> None:
    """Stop the listeners; within STOP_TIMEOUT in all, then terminate what is left.

    The queue is drained meanwhile: a child does not exit before what it put on the
    queue is flushed, so joining without reading could wait forever (after an error).
    """
    stop.set()
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
        with suppress(queue.Empty):
            results.get(timeout=0.05)
    for process in processes:
        if process.is_alive():
            process.terminate()
        process.join(timeout=2)


def analyse(
    scenario: Scenario,
    written: list[int],
    committed: list[float],
    spent: list[float],
    results: list[ListenerResult],
    duration: float,
) -> Scenario:
    commit_at = dict(zip(written, committed, strict=True))
    scenario.events = len(written)
    span = max(committed) - min(committed) if len(committed) > 1 else duration
    scenario.achieved_rate = (len(written) - 1) / span if span > 0 else float(len(written))
    latencies: list[float] = []
    reads: list[float] = []
    read_count = 0
    scenario.failed_listeners = scenario.listeners - len(results)
    for result in results:
        if result.error is not None:
            scenario.failed_listeners += 1
            print(f"  listener {result.index}: {result.error}", file=sys.stderr)
        seen = Counter(result.ids)
        scenario.lost += sum(1 for event_id in written if event_id not in seen)
        scenario.duplicated += sum(c - 1 for c in seen.values() if c > 1)
        scenario.unexpected += sum(c for event_id, c in seen.items() if event_id not in commit_at)
        first: dict[int, float] = {}
        for event_id, at in zip(result.ids, result.times, strict=True):
            first.setdefault(event_id, at)
        latencies += [at - commit_at[i] for i, at in first.items() if i in commit_at]
        reads += result.read_seconds
        read_count += len(result.read_seconds)
    # A listener that never reported lost everything.
    scenario.lost += (scenario.listeners - len(results)) * len(written)
    latencies.sort()
    reads.sort()
    scenario.p50_ms = percentile(latencies, 50) * 1000
    scenario.p99_ms = percentile(latencies, 99) * 1000
    scenario.max_ms = latencies[-1] * 1000 if latencies else math.nan
    scenario.write_p50_ms = percentile(sorted(spent), 50) * 1000
    if results and written:
        scenario.reads_per_event = read_count / len(results) / len(written)
    scenario.read_p50_ms = percentile(reads, 50) * 1000
    scenario.read_p99_ms = percentile(reads, 99) * 1000
    return scenario


# -- databases --------------------------------------------------------------------------


def run_backend(
    ctx: multiprocessing.context.SpawnContext,
    backend: str,
    url: str,
    plan: Sequence[tuple[int, int]],
    duration: float,
) -> list[Scenario]:
    drain_timeout = (SAFETY_INTERVAL if backend == "postgres" else POLL_INTERVAL) + 5.0
    engine = create_database_engine(parse_url(url))
    done: list[Scenario] = []
    try:
        for rate, listeners in plan:
            print(f"  {backend}: {rate} events/s, {listeners} listener(s) ...", flush=True)
            scenario = Scenario(backend, rate, listeners)
            done.append(run_scenario(ctx, url, engine, scenario, duration, drain_timeout))
    finally:
        engine.dispose()
    return done


# -- output -----------------------------------------------------------------------------


COLUMNS = (
    ("backend", "backend", "{}"),
    ("rate", "rate", "{}"),
    ("listeners", "lst", "{}"),
    ("events", "events", "{}"),
    ("achieved_rate", "ach/s", "{:.0f}"),
    ("p50_ms", "p50 ms", "{:.1f}"),
    ("p99_ms", "p99 ms", "{:.1f}"),
    ("max_ms", "max ms", "{:.1f}"),
    ("lost", "lost", "{}"),
    ("duplicated", "dup", "{}"),
    ("write_p50_ms", "wr ms", "{:.2f}"),
    ("reads_per_event", "reads/ev", "{:.2f}"),
    ("read_p50_ms", "read p50", "{:.2f}"),
    ("read_p99_ms", "read p99", "{:.2f}"),
    ("load_1m", "load", "{:.1f}"),
)


def table(scenarios: Sequence[Scenario]) -> str:
    rows = [[title for _, title, _ in COLUMNS]]
    for scenario in scenarios:
        rows.append([fmt.format(getattr(scenario, key)) for key, _, fmt in COLUMNS])
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def pick(scenarios: Sequence[Scenario], backend: str, rate: int, listeners: int) -> float | None:
    for s in scenarios:
        if (s.backend, s.rate, s.listeners) == (backend, rate, listeners):
            return None if math.isnan(s.p99_ms) else round(s.p99_ms, 3)
    return None


def summary(scenarios: Sequence[Scenario], duration: float) -> dict[str, Any]:
    pg = pick(scenarios, "postgres", 100, 20)
    lite = pick(scenarios, "sqlite", 100, 20)
    pg_clean = all(s.lost == s.duplicated == 0 for s in scenarios if s.backend == "postgres")
    lite_clean = all(s.lost == s.duplicated == 0 for s in scenarios if s.backend == "sqlite")
    return {
        "benchmark": "feed_latency",
        "duration_s": duration,
        "poll_interval_s": POLL_INTERVAL,
        "safety_interval_s": SAFETY_INTERVAL,
        "scenarios": [s.as_json() for s in scenarios],
        "pg_p99_ms_at_100_per_s_20_listeners": pg,
        "sqlite_p99_ms_at_100_per_s_20_listeners": lite,
        "pg_target_met": pg is not None and pg < PG_P99_TARGET_MS and pg_clean,
        "sqlite_target_met": lite is not None and lite < SQLITE_P99_TARGET_MS and lite_clean,
    }


def _terminate(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of writing each")
    parser.add_argument("--quick", action="store_true", help="1 s of writing per scenario")
    parser.add_argument("--only", choices=("postgres", "sqlite"), help="one backend only")
    args = parser.parse_args(argv)
    duration = 1.0 if args.quick else args.duration
    signal.signal(signal.SIGTERM, _terminate)
    # Ctrl-C must clean up even when started with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ctx = multiprocessing.get_context("spawn")
    scenarios: list[Scenario] = []
    print(f"feed latency: {duration:g} s of writing per scenario", flush=True)
    try:
        if args.only != "sqlite":
            with temporary_postgres("switchboard_feedbench") as url:
                scenarios += run_backend(ctx, "postgres", url, POSTGRES_SCENARIOS, duration)
        if args.only != "postgres":
            with temporary_sqlite() as url:
                scenarios += run_backend(ctx, "sqlite", url, SQLITE_SCENARIOS, duration)
    except KeyboardInterrupt:
        print("interrupted: temporary databases dropped", file=sys.stderr)
        return 130
    print()
    print(table(scenarios))
    print()
    print(
        "latency = time.time() on entry to on_batch in a listener process - time.time() "
        "right after the writer's commit;\n"
        "p50/p99/max over all deliveries of all listeners; lost/dup summed over listeners; "
        "wr ms = p50 writer transaction (begin..commit);\n"
        "reads/ev = feed reads per event per listener; read p50/p99 = one read's duration (ms);\n"
        "load = 1-minute load average when the writer started (other work on this machine "
        "shows here)."
    )
    print(json.dumps(summary(scenarios, duration)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

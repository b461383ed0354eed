"""Writes per second through the write path (console.store.commands), SQLite and Postgres.

Each agent is a process with its own engine (pool) and Session, so Python's GIL does not
cap the figure. A write is one command: half log an e-mail, half respond to one. Each
agent connects and makes one warm-up write before the clock starts; the clock stops at
the last agent's last commit. Postgres runs in a fresh temporary database on 127.0.0.1,
dropped afterwards. Prints one JSON line last, e.g. {"writes_per_agent": 1000,
"sqlite_1": 850.2, "sqlite_8": ..., "postgres_1": ..., "postgres_8": ...}.

`--audit-compare N`: only Postgres with 8 agents, N rounds alternating with and without
the database's audit (the `switchboard_audit` triggers and the events actor guard dropped
in the throw-away database; the NOTIFY trigger kept, as the write path notified before),
and the median of each and their ratio.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks, the package

from benchmarks.desks import NOW, migrated, small_desk, temporary_postgres
from console.store import audited
from console.store import commands as c
from console.store.db import open_database


def prepare(url: str, agents: int) -> None:
    database = open_database(migrated(url))
    small_desk(database, agents=[f"agent{n}" for n in range(agents)], now=NOW)
    database.dispose()


def agent(url: str, index: int, writes: int, ready: object, start: object, results: object) -> None:
    rules = c.Rules.defaults()
    database = open_database(url)
    handle = f"agent{index}"
    with database.session() as session:  # warm-up: connect, compile, fill caches
        c.log_email(session, handle, NOW, rules, customer="Springfield", summary="warm-up")
    ready.release()  # type: ignore[attr-defined]
    start.wait()  # type: ignore[attr-defined]
    began = time.perf_counter()
    with database.session() as session:
        for n in range(writes // 2):
            now = NOW + timedelta(seconds=n)
            view = c.log_email(session, handle, now, rules, customer="Springfield", summary="b")
            c.respond(session, handle, now, request_id=view.id)
    ended = time.perf_counter()
    results.put((began, ended))  # type: ignore[attr-defined]
    database.dispose()


def drop_audit(url: str) -> None:
    """The database without its audit triggers: what the write path cost before 0002."""
    database = open_database(url)
    with database.engine.begin() as connection:
        for table in audited.AUDITED:
            audited.uninstall(connection, table)
        connection.execute(text("DROP TRIGGER events_guard ON events"))
    database.dispose()


def measure(url: str, agents: int, writes: int, *, audit: bool = True) -> float:
    """Writes per second from the moment all agents (warmed up) start to the last finishing.

    Every agent is ready (connected, one write done) before the clock starts, and the
    clock stops at the last agent's last commit, not at process exit.
    """
    prepare(url, agents)
    if not audit:
        drop_audit(url)
    ready = multiprocessing.Semaphore(0)
    start = multiprocessing.Event()
    results: multiprocessing.Queue[tuple[float, float]] = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=agent, args=(url, i, writes, ready, start, results))
        for i in range(agents)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        if not ready.acquire(timeout=120):
            raise RuntimeError("an agent did not get ready within 2 minutes")
    began = time.perf_counter()  # the same monotonic clock in every process
    start.set()
    spans: list[tuple[float, float]] = []
    while len(spans) < len(procs):
        try:
            spans.append(results.get(timeout=1.0))
        except queue.Empty:
            if any(proc.exitcode not in (None, 0) for proc in procs):
                raise RuntimeError("an agent failed; see its traceback above") from None
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise RuntimeError(f"an agent failed (exit code {proc.exitcode})")
    elapsed = max(ended for _, ended in spans) - began
    total = agents * (writes // 2) * 2
    return round(total / elapsed, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=1000, help="writes per agent")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--audit-compare", type=int, metavar="ROUNDS", default=0)
    args = parser.parse_args(argv)
    if args.audit_compare:
        return audit_compare(args.audit_compare, args.writes)
    figures: dict[str, object] = {"writes_per_agent": args.writes}
    with tempfile.TemporaryDirectory() as folder:
        for agents in (1, 8):
            url = f"sqlite:///{Path(folder) / f'bench{agents}.sqlite3'}"
            figures[f"sqlite_{agents}"] = measure(url, agents, args.writes)
            print(f"sqlite, {agents} agents: {figures[f'sqlite_{agents}']} writes/s", flush=True)
    if not args.skip_postgres:
        for agents in (1, 8):
            with temporary_postgres() as url:
                figures[f"postgres_{agents}"] = measure(url, agents, args.writes)
            print(f"postgres, {agents} agents: {figures[f'postgres_{agents}']} writes/s",
                  flush=True)  # fmt: skip
    print(json.dumps(figures))
    return 0


def audit_compare(rounds: int, writes: int) -> int:
    runs: dict[str, list[float]] = {"audit": [], "no_audit": []}
    for _ in range(rounds):
        for key, audit in (("no_audit", False), ("audit", True)):
            with temporary_postgres() as url:
                figure = measure(url, 8, writes, audit=audit)
            runs[key].append(figure)
            print(f"postgres, 8 agents, {key}: {figure} writes/s", flush=True)
    with_audit, without = statistics.median(runs["audit"]), statistics.median(runs["no_audit"])
    figures = {
        "writes_per_agent": writes,
        "postgres_8_audit": with_audit,
        "postgres_8_no_audit": without,
        "ratio": round(with_audit / without, 3),
        "runs": runs,
        "loadavg_1min": os.getloadavg()[0],
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

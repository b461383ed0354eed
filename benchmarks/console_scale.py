"""Benchmark: the dispatcher console at 1,000 / 10,000 / 50,000 open requests (issue 5).

What it measures
    On each backend (``--backend sqlite|postgres|both``, both by default) and for every
    size N, one fresh temporary database is migrated with ``console.store.schema.upgrade``
    and filled with the same data: 8 staff (a desk lead, a dispatcher, agents, a technical
    lead), 30 customers with two contacts each, duty and on-call shifts, presence, N open
    requests and 12 open escalations. The requests are a realistic mix: answered calls (no
    timer, "met"), voicemail / e-mail / portal requests on the business clock (paused
    whenever the desk is closed), a few emergencies on the wall clock pinned at the top;
    about 10 % are breached (due up to 2 days ago), 15 % are due within the hour, the rest
    later, some already responded to, about half assigned. The setup bypasses the write
    path; every change measured below goes through it (``console.store.commands.assign``).

    - **SQLite**: a file in a temporary folder, filled with Core ``executemany``; the feed
      polls it every ``poll_interval`` (0.5 s), so commit-to-screen includes that wait.
    - **Postgres**: a database with a random name (``console_scale_<hex>``) on
      127.0.0.1:5432 (user postgres, trust auth; no other host is contacted), filled with
      ``COPY ... FROM STDIN`` in one transaction with ``synchronous_commit = off``, id
      sequences moved past the rows, then ``VACUUM (ANALYZE)``. The feed is pushed
      (LISTEN/NOTIFY, ``console.store.feed``). Every database this script creates is
      dropped (``WITH (FORCE)``) when it is done with it, and on an error, Ctrl-C,
      SIGTERM or SIGHUP (try/finally; the signals are turned into ``KeyboardInterrupt``
      and ignored while the drops run).

    Each (backend, N, widget) runs in a process of its own (this script with ``--one N``),
    on a copy of the same database (a copy of the file; ``CREATE DATABASE ... TEMPLATE``
    on Postgres), so sizes and widgets never share a heap and see identical data. In it:

    1. **first paint**: from entering ``App.run_test(size=(160, 45))`` to the moment
       ``app.loaded`` is true *and* the screen has been refreshed after it (a callback
       scheduled with ``app.call_after_refresh``). It covers the feed start, the bulk
       read of the board on the worker thread, building the queue and rendering it.
    2. **idle CPU**: with the real clock (``SystemClock``) the app ticks every second and
       the feed polls SQLite every ``poll_interval`` (0.5 s, the default setting), or on
       Postgres waits for notifications (with a safety-net read every
       ``safety_interval``), with nothing changing. ``time.process_time()`` over
       ``--idle`` seconds (15 by default, after a 2 s settle), scaled to one minute;
       the UI thread's share (``time.thread_time()`` on the event loop's thread) and the
       other threads' (the feed / board worker) are shown apart.
    3. **commit-to-screen**: a writer thread (its own engine and sessions, like another
       agent's console) makes ``--changes`` changes (200) at ``--rate`` per second (20),
       ``commands.assign`` alternately on the top 20 rows of the queue (all on screen)
       to a different agent each time, and notes ``time.perf_counter()`` right after
       each commit returns, keyed by (request id, new version). The app side notes when
       the changed row reaches the widget (a wrapper around ``QueuePane.apply``, or the
       stock app's ``apply_rows``) and stamps the time in a callback scheduled with
       ``app.call_after_refresh`` right after, i.e. once the next frame has been
       composed. Latency = screen stamp - commit stamp (one clock, one process); a change
       superseded by a newer version of the same row before it was drawn counts as drawn
       when the newer one is. p50 / p99 / max, plus where the time went: commit -> feed
       read, the board re-read of the touched rows (on the worker thread), the wait for
       the UI thread, and apply -> frame. Also the number and the longest of the
       collections of the oldest generation during the changes (``gc.callbacks``; each
       stops every thread while it walks all tracked objects, ``gc_tracked_objects``
       after the first paint), the usual cause of a long tail.
    4. **peak memory**: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of that process at
       the end (the baseline after imports is shown too). tracemalloc is not used: it
       slows the app down several times.

    The same four figures, on the same data in the same run, for a minimal app built on
    Textual's stock ``DataTable`` (8 columns: SLA countdown, id, customer, channel,
    summary, status, assignee, age; fixed widths, so no width measuring): it follows
    the same ``LiveLink`` / ``Feed`` machinery, loads the ``Board.load()`` result with
    ``add_rows`` in the queue's order (``QueueModel``), updates the visible rows'
    countdown and age cells with ``update_cell`` every second, and applies the feed's
    changed rows with ``update_cell`` on the cells that differ.

    Headless: Textual composes every frame (each widget's ``render_line``), but the
    final conversion to terminal escape codes is skipped, so a real terminal costs a
    little more than shown. This machine is shared: the 1-minute load average at the
    start of each run is printed, and figures are noisy when it is high.

How to run
    /work/venv/bin/python benchmarks/console_scale.py [--backend sqlite|postgres|both]
        [--sizes 1000,10000,50000] [--widgets ours,stock] [--idle 15] [--changes 200]
        [--rate 20] [--quick] [--poll-interval SECONDS] [--profile]

    ``--quick`` runs sizes 1,000 and 10,000 with 8 s of idle and 60 changes.
    ``--profile`` prints the UI thread's cProfile (idle and change phases) to stderr;
    it slows the app down, so its figures are not comparable. ``--one N --widget W
    [--backend sqlite|postgres] [--url URL | --db SQLITE_PATH]`` runs a single
    measurement (without ``--url``/``--db`` it fills a temporary database of its own, and
    then its peak memory includes the fill). Postgres must be up on 127.0.0.1:5432.

Output
    Human-readable lines first (one table row per widget, backend and size, then where
    the commit-to-screen time went, the load averages, and the verdict against the
    targets at 50,000 for each widget and backend); the last line printed is one JSON
    object with every figure::

        {"benchmark": "console_scale",
         "ours":  {"sqlite": {"1000": {...}, "10000": {...}, "50000": {...}},
                   "postgres": {...same sizes...}},
         "stock": {"sqlite": {...}, "postgres": {...}},
         "targets": {"size": 50000, "first_paint_s": 2.0, ...},
         "verdict": {"ours": {"sqlite": {"first_paint_s": true, ...},
                              "postgres": {...}}, "stock": {...}},
         "setup_s": {"sqlite": {"1000": 0.1, ...}, "postgres": {...}},
         "settings": {"backends": [...], "loadavg_start": [...], ...}}

    i.e. widget -> backend -> size (a string) -> figures; a run that failed holds
    ``{"error": "..."}`` instead of figures and is left out of the verdict.

Targets (issue 5), at 50,000 open requests: first paint < 2 s, idle ticking < 3 CPU-s
per minute, commit-to-screen p99 < 100 ms, peak memory < 400 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg

from console.settings import load_settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks, the package

from benchmarks.desks import SERVER, TemporaryPostgres
from benchmarks.scale.config import (
    BACKENDS,
    CHILD_TIMEOUT,
    QUICK_SIZES,
    SCREEN,
    SIZES,
    TARGETS,
    WIDGETS,
)
from benchmarks.scale.fill import build_database, build_postgres
from benchmarks.scale.measure import measure
from benchmarks.scale.report import Results, print_tables, verdict


def run_one(options: argparse.Namespace) -> dict[str, Any]:
    """`--one N`: measure in this process (filling a database of its own without --url/--db)."""
    size, widget = options.one, options.widget
    url = options.url or (options.db and f"sqlite:///{options.db}")
    if url:
        return asyncio.run(measure(widget, size, url, options))
    if options.backend == "postgres":
        pg = TemporaryPostgres("console_scale")
        try:
            name, _seconds = build_postgres(pg, size)
            return asyncio.run(measure(widget, size, pg.url(name), options))
        finally:
            pg.close()
    with tempfile.TemporaryDirectory(prefix="console_scale_") as folder:
        path = Path(folder) / "desk.sqlite3"
        build_database(path, size)
        return asyncio.run(measure(widget, size, f"sqlite:///{path}", options))


# -- the parent: every size, backend and widget, each in its own process ----------------


def run_child(
    widget: str, size: int, backend: str, url: str, options: argparse.Namespace
) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--one", str(size)]
    command += ["--widget", widget, "--backend", backend, "--url", url]
    command += ["--idle", str(options.idle)]
    command += ["--changes", str(options.changes), "--rate", str(options.rate)]
    if options.poll_interval:
        command += ["--poll-interval", str(options.poll_interval)]
    if options.profile:
        command.append("--profile")
    try:
        done = subprocess.run(
            command, stdout=subprocess.PIPE, text=True, timeout=CHILD_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        return {"error": f"no result after {CHILD_TIMEOUT:g} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": f"exit {done.returncode}: {' | '.join(lines[-3:])}"}
    return json.loads(lines[-1])


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=None, help="comma-separated open-request counts")
    parser.add_argument("--widgets", default=",".join(WIDGETS), help="ours,stock")
    parser.add_argument(
        "--backend", choices=(*BACKENDS, "both"), default="both", help="database (both)"
    )
    parser.add_argument("--idle", type=float, default=15.0, help="seconds of idle ticking")
    parser.add_argument("--changes", type=int, default=200, help="changes to time")
    parser.add_argument("--rate", type=float, default=20.0, help="changes per second")
    parser.add_argument("--poll-interval", type=float, default=None, help="SQLite feed poll (s)")
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000; fewer changes")
    parser.add_argument("--profile", action="store_true", help="cProfile the UI thread")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--widget", choices=WIDGETS, default="ours", help=argparse.SUPPRESS)
    parser.add_argument("--db", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.quick:
        options.idle, options.changes = min(options.idle, 8.0), min(options.changes, 60)
    if options.one is not None and options.backend == "both" and not (options.url or options.db):
        options.backend = "sqlite"
    return options


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    # SIGTERM / SIGHUP / Ctrl-C (even when started with SIGINT ignored, as a background
    # job) unwind through the finally blocks that drop the temporary databases.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    if options.one is not None:
        print(json.dumps(run_one(options)))
        return 0
    if options.sizes:
        sizes = [int(s) for s in options.sizes.split(",")]
    else:
        sizes = list(QUICK_SIZES if options.quick else SIZES)
    widgets = [w for w in options.widgets.split(",") if w]
    backends = list(BACKENDS) if options.backend == "both" else [options.backend]
    results: Results = {w: {b: {} for b in backends} for w in widgets}
    setup: dict[str, dict[str, float]] = {b: {} for b in backends}
    load_start = [round(x, 2) for x in os.getloadavg()]
    print(f"console_scale: load average {load_start} on {os.cpu_count()} CPUs", flush=True)
    pg = TemporaryPostgres("console_scale") if "postgres" in backends else None
    try:
        if pg is not None:
            try:
                pg.admin()
            except psycopg.OperationalError as exc:
                print(f"no Postgres at {SERVER}: {exc}", file=sys.stderr)
                return 2
        with tempfile.TemporaryDirectory(prefix="console_scale_") as folder:
            for size in sizes:
                for backend in backends:
                    run_size(size, backend, widgets, Path(folder), pg, results, setup, options)
    except KeyboardInterrupt:
        print("\ninterrupted: temporary databases dropped", file=sys.stderr)
        return 130
    finally:
        if pg is not None:
            pg.close()
    load_end = [round(x, 2) for x in os.getloadavg()]
    print_tables(results, sizes)
    print(f"\nload average (1, 5, 15 min): {load_start} at the start, {load_end} at the end")
    checks = verdict(results)
    for widget, by_backend in checks.items():
        for backend, passed in by_backend.items():
            line = ", ".join(f"{name} {'ok' if ok else 'MISSED'}" for name, ok in passed.items())
            print(f"targets at {TARGETS['size']} ({widget}, {backend}): {line}")
    settings = load_settings()
    summary = {
        "benchmark": "console_scale",
        **results,
        "targets": TARGETS,
        "verdict": checks,
        "setup_s": setup,
        "settings": {
            "backends": backends,
            "screen": list(SCREEN),
            "idle_s": options.idle,
            "changes": options.changes,
            "rate_per_s": options.rate,
            "poll_interval_s": options.poll_interval or settings.feed.poll_interval,
            "safety_interval_s": settings.feed.safety_interval,
            "cpus": os.cpu_count(),
            "loadavg_start": load_start,
            "loadavg_end": load_end,
        },
    }
    print(json.dumps(summary))
    return 0


def run_size(
    size: int,
    backend: str,
    widgets: Sequence[str],
    folder: Path,
    pg: TemporaryPostgres | None,
    results: Results,
    setup: dict[str, dict[str, float]],
    options: argparse.Namespace,
) -> None:
    """Fill one database of `size` open requests, then measure each widget on a copy of it."""
    if backend == "postgres":
        assert pg is not None
        template, seconds = build_postgres(pg, size)
    else:
        path = folder / f"desk-{size}.sqlite3"
        seconds = build_database(path, size)
    setup[backend][str(size)] = round(seconds, 2)
    print(f"{size} open requests on {backend}: database filled in {seconds:.2f} s", flush=True)
    for widget in widgets:
        if backend == "postgres":
            assert pg is not None
            name = pg.create(template=template)
            try:
                result = run_child(widget, size, backend, pg.url(name), options)
            finally:
                pg.drop(name)
        else:
            copy = folder / f"{widget}-{size}.sqlite3"
            shutil.copy(path, copy)
            try:
                result = run_child(widget, size, backend, f"sqlite:///{copy}", options)
            finally:
                copy.unlink(missing_ok=True)
        results[widget][backend][str(size)] = result
        shown = {k: v for k, v in result.items() if k != "breakdown_ms"}
        print(f"  {widget} ({backend}): {json.dumps(shown)}", flush=True)
    if backend == "postgres":
        assert pg is not None
        pg.drop(template)
    else:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())

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
import cProfile
import gc
import io
import json
import math
import os
import pstats
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
from rich.text import Text
from sqlalchemy import Connection, insert, select
from textual import on, work
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable

from console.clock import Clock, SystemClock
from console.domain.policy import Policy
from console.domain.sla import SlaPolicy, TimerState
from console.settings import Settings, load_settings
from console.store import commands
from console.store.board import Board
from console.store.board_rows import BoardChanges, QueueRow
from console.store.db import Database, open_database
from console.store.demo_plan import EMERGENCIES, FIRST, LAST, MUNICIPALITIES, STAFF, TOPICS
from console.store.feed import Feed
from console.store.models import Base, Request, Staff
from console.store.schema import upgrade
from console.ui.app import Identity, make_app
from console.ui.format import age, countdown, inert
from console.ui.live import BoardChanged, BoardLoaded, LiveLink
from console.ui.queue_model import QueueModel
from console.ui.widgets.grid import VirtualGrid
from console.ui.widgets.queue_pane import QueuePane

SIZES = (1_000, 10_000, 50_000)
BACKENDS = ("sqlite", "postgres")
#: The Postgres server for `--backend postgres` (trust auth); nothing else is contacted.
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
QUICK_SIZES = (1_000, 10_000)
WIDGETS = ("ours", "stock")
SCREEN = (160, 45)
#: Who the console is signed in as, and who makes the changes (assigning needs a dispatcher).
VIEWER = "dkim"
ACTOR = "rhernandez"
#: The changes alternate the top rows between these.
ASSIGNEES = ("jcarter", "emiller", "tnguyen", "dkim")
#: A handful of the demo desk's staff: a desk lead, a dispatcher, agents, a technical lead.
HANDLES = ("rhernandez", "dkim", "jcarter", "emiller", "tnguyen", "gpatel", "bchen", "kokafor")
TOP_ROWS = 20
SETTLE = 2.0
LOAD_TIMEOUT = 300.0
DRAIN_TIMEOUT = 20.0
CHILD_TIMEOUT = 1800.0
TARGETS = {
    "size": 50_000,
    "first_paint_s": 2.0,
    "idle_cpu_s_per_min": 3.0,
    "p99_ms": 100.0,
    "peak_rss_mb": 400.0,
}

Key = tuple[int, int]  # (request id, version)
RowsOf = Callable[..., Iterable[QueueRow]]
#: The request id drawn on line `y` of a table widget, or None (header, empty, other).
RowAt = Callable[[Any, int], int | None]


# -- the data ---------------------------------------------------------------------------


def fill(database: Database, size: int, now: datetime, seed: int = 5) -> dict[str, int]:
    """Staff, customers, contacts, shifts, presence, `size` open requests, escalations."""
    rng = random.Random(seed)
    staff = [s for s in STAFF if s[0] in HANDLES]
    staff_id = {handle: index + 1 for index, (handle, *_rest) in enumerate(staff)}
    towns = [t for line in MUNICIPALITIES.splitlines() for t in line.split("|")]
    long_ago = now - timedelta(days=400)
    agents = [staff_id[h] for h in ("jcarter", "emiller", "tnguyen", "gpatel", "kokafor")]
    with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Only this setup transaction: losing it in a crash costs nothing.
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        load(
            conn,
            "staff",
            [
                {
                    "id": staff_id[handle],
                    "handle": handle,
                    "name": name,
                    "role": role,
                    "department": department,
                    "active": True,
                    "added_at": long_ago,
                }
                for handle, name, role, department in staff
            ],
        )
        load(
            conn,
            "customers",
            [
                {
                    "id": index + 1,
                    "municipality": town,
                    "liaison_id": rng.choice(agents),
                    "next_check_in": (now + timedelta(days=rng.randint(-3, 20))).date()
                    if index % 3
                    else None,
                    "added_at": long_ago,
                }
                for index, town in enumerate(towns)
            ],
        )
        contacts = [
            {
                "id": 2 * index + k + 1,
                "customer_id": index + 1,
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "phone": f"555-01{index:02d}",
                "email": f"contact{2 * index + k}@example.gov",
                "designated_for_emergencies": k == 0,
                "added_at": long_ago,
            }
            for index in range(len(towns))
            for k in range(2)
        ]
        load(conn, "contacts", contacts)
        shifts = [
            {
                "staff_id": staff_id[h],
                "kind": "duty",
                "starts_at": now - timedelta(hours=4),
                "ends_at": now + timedelta(hours=5),
            }
            for h in ("dkim", "jcarter", "emiller", "tnguyen")
        ]
        shifts += [
            {
                "staff_id": staff_id[h],
                "kind": "on-call",
                "starts_at": now + timedelta(hours=start),
                "ends_at": now + timedelta(hours=start + 12),
            }
            for h, start in (("rhernandez", -6), ("bchen", 6), ("rhernandez", 30))
        ]
        load(conn, "shifts", shifts)
        load(
            conn,
            "agent_presence",
            [
                {"staff_id": staff_id[h], "state": state, "since": now - timedelta(minutes=20)}
                for h, state in (
                    ("jcarter", "available"),
                    ("emiller", "on-a-call"),
                    ("tnguyen", "away"),
                    ("dkim", "available"),
                )
            ],
        )
        logger = staff_id["dkim"]
        requests = [
            _request(rng, index, size, now, len(towns), agents, logger) for index in range(size)
        ]
        load(conn, "requests", requests)
        kinds = (("additional-services", "customer-care"), ("product", "technical"))
        kinds += (("other", "person"),)
        escalated = rng.sample(range(1, size + 1), min(12, size))
        load(
            conn,
            "escalations",
            [
                {
                    "request_id": request_id,
                    "kind": kinds[index % 3][0],
                    "destination": kinds[index % 3][1],
                    "assignee_id": staff_id["gpatel"] if index % 3 == 2 else None,
                    "reason": "Needs the product team" if index % 3 == 1 else "Customer asked",
                    "technical_priority": index // 3 + 1 if index % 3 == 1 else None,
                    "status": "open",
                    "opened_at": now - timedelta(minutes=rng.uniform(10, 1800)),
                    "closed_at": None,
                    "version": 1,
                }
                for index, request_id in enumerate(escalated)
            ],
        )
        if conn.dialect.name == "postgresql":
            # COPY with explicit ids leaves the id sequences behind: move them past the rows.
            # (setval is strict: a table without a sequence or without rows is left alone)
            for table in FILLED_TABLES:
                if "id" in Base.metadata.tables[table].columns:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
    return {"staff": len(staff), "customers": len(towns), "requests": size, "escalations": 12}


FILLED_TABLES = (
    "staff",
    "customers",
    "contacts",
    "shifts",
    "agent_presence",
    "requests",
    "escalations",
)


def load(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert `rows` (dicts with the same keys) into `table`, in `conn`'s transaction.

    SQLite: one Core ``executemany``. Postgres: one ``COPY ... FROM STDIN`` on the
    underlying psycopg connection (the column defaults of the model, which COPY does not
    know, are filled in first; the values are already aware UTC instants).
    """
    if not rows:
        return
    columns = Base.metadata.tables[table].columns
    if conn.dialect.name != "postgresql":
        conn.execute(insert(Base.metadata.tables[table]), rows)
        return
    names = list(rows[0])
    defaults = {
        c.name: c.default.arg
        for c in columns
        if c.name not in names and c.default is not None and c.default.is_scalar
    }
    names += list(defaults)
    raw = conn.connection.driver_connection
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[n] if n in row else defaults[n] for n in names])


def _request(
    rng: random.Random,
    index: int,
    size: int,
    now: datetime,
    towns: int,
    agents: list[int],
    logger: int,
) -> dict[str, Any]:
    customer = rng.randint(1, towns)
    emergency = index < 3 + size // 10_000
    channel = rng.choices(("call", "voicemail", "email", "portal"), (10, 25, 40, 25))[0]
    summary = rng.choice(TOPICS[rng.choice(("product", "product", "additional-services", "other"))])
    first_response = None
    if emergency:
        channel = "voicemail"
        summary = rng.choice(EMERGENCIES)
        received = now - timedelta(minutes=rng.uniform(5, 90))
        due: datetime | None = received + timedelta(minutes=60)
    elif channel == "call":
        received = now - timedelta(hours=rng.uniform(0.2, 72))
        due, first_response = None, received
    else:
        draw = rng.random()
        if draw < 0.10:  # breached
            due = now - timedelta(minutes=rng.uniform(1, 2880))
        elif draw < 0.25:  # due within the hour
            due = now + timedelta(minutes=rng.uniform(1, 60))
        else:
            due = now + timedelta(minutes=rng.uniform(60, 4320))
        received = min(due - timedelta(hours=rng.uniform(4, 52)), now - timedelta(minutes=2))
        if rng.random() < 0.15:
            first_response = received + (now - received) * rng.random()
    return {
        "customer_id": customer,
        "contact_id": 2 * (customer - 1) + rng.randint(1, 2) if rng.random() < 0.5 else None,
        "channel": channel,
        "summary": summary,
        "received_at": received,
        "emergency": emergency,
        "emergency_unverified": emergency and index == 0,
        "status": "open",
        "assignee_id": rng.choice(agents) if rng.random() < 0.5 else None,
        "due_at": due,
        "first_response_at": first_response,
        "resolved_at": None,
        "billing_state": "needs-notice" if rng.random() < 0.05 else "none",
        "logged_by_id": logger,
        "version": 1,
    }


def build_database(path: Path, size: int) -> float:
    """A migrated, filled SQLite file at `path`; returns the seconds it took."""
    started = time.perf_counter()
    database = open_database(f"sqlite:///{path}")
    try:
        upgrade(database.engine)
        fill(database, size, datetime.now(UTC))
    finally:
        database.dispose()  # the last connection checkpoints the WAL into the file
    return time.perf_counter() - started


def pg_url(name: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def _pg_connect(dbname: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        dbname=dbname,
        autocommit=True,
        connect_timeout=5,
        application_name="console_scale",
    )


class TemporaryPostgres:
    """Databases with random names on 127.0.0.1:5432, each dropped by `drop` or `close`.

    A name is recorded before its CREATE DATABASE is sent, so an interrupt at any point
    still leaves it in the list that `close` drops (``DROP ... IF EXISTS ... WITH (FORCE)``
    also ends any connection a killed child left behind).
    """

    def __init__(self) -> None:
        self.names: list[str] = []
        self._admin: psycopg.Connection[Any] | None = None

    def admin(self) -> psycopg.Connection[Any]:
        if self._admin is None or self._admin.closed:
            self._admin = _pg_connect("postgres")
        return self._admin

    def create(self, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`); returns its name."""
        name = f"console_scale_{uuid.uuid4().hex[:12]}"
        self.names.append(name)
        statement = f'CREATE DATABASE "{name}"'
        if template is not None:
            statement += f' TEMPLATE "{template}"'
        for attempt in range(10):
            try:
                self.admin().execute(statement)
                break
            except psycopg.errors.ObjectInUse:  # an autovacuum worker in the template
                if attempt == 9:
                    raise
                time.sleep(0.5)
        return name

    def drop(self, name: str) -> None:
        with _shielded():
            self.admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if name in self.names:
                self.names.remove(name)

    def close(self) -> None:
        """Drop every database still here; never interrupted by Ctrl-C or SIGTERM."""
        with _shielded():
            try:
                for name in list(self.names):
                    self.drop(name)
            finally:
                if self._admin is not None:
                    self._admin.close()
                    self._admin = None
        if self.names:
            print(f"could not drop {', '.join(self.names)}", file=sys.stderr)


@contextmanager
def _shielded() -> Iterator[None]:
    """Ignore SIGINT and SIGTERM meanwhile (main thread only): cleanup must finish."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def build_postgres(pg: TemporaryPostgres, size: int) -> tuple[str, float]:
    """A fresh database on the server, migrated and filled like `build_database`, then
    vacuumed and analysed (as a live desk database would be); returns (name, seconds)."""
    started = time.perf_counter()
    name = pg.create()
    database = open_database(pg_url(name))
    try:
        upgrade(database.engine)
        fill(database, size, datetime.now(UTC))
    finally:
        database.dispose()  # no connection may stay open on a template
    with _pg_connect(name) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return name, time.perf_counter() - started


# -- the stock DataTable console --------------------------------------------------------

STOCK_COLUMNS = (
    ("sla", "SLA", 20),
    ("id", "#", 7),
    ("customer", "Customer", 22),
    ("channel", "Channel", 9),
    ("summary", "Summary", 44),
    ("status", "Status", 12),
    ("assignee", "Assignee", 9),
    ("age", "Age", 7),
)
STATE_STYLE = {
    TimerState.OK: "green",
    TimerState.WARNING: "bold yellow",
    TimerState.BREACHED: "bold red",
    TimerState.PAUSED: "dim",
    TimerState.MET: "green",
    TimerState.NONE: "dim",
}


class StockConsole(App[None]):
    """The queue on Textual's stock DataTable, fed by the console's own LiveLink."""

    def __init__(self, settings: Settings, database: Database, clock: Clock, feed: Feed) -> None:
        super().__init__()
        self.clock = clock
        policy = Policy.defaults()  # the benchmark desk runs on the contract's policy
        self.sla: SlaPolicy = policy.sla
        self.zone = policy.calendar.zone
        self.board = Board(database)
        self.link = LiveLink(self.board, feed, policy.calendar, clock, self.post_message)
        self.rows: dict[int, QueueRow] = {}
        self.order: list[int] = []
        self.row_keys: dict[int, Any] = {}
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield DataTable(id="table", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in STOCK_COLUMNS:
            table.add_column(label, width=width, key=key)
        table.focus()
        self.set_interval(1.0, self._tick)
        self._run_link()

    @work(thread=True, exclusive=True, group="live", exit_on_error=False)
    def _run_link(self) -> None:
        self.link.run()

    def on_unmount(self) -> None:
        self.link.stop()

    def _values(self, row: QueueRow, now: datetime) -> tuple[list[str], TimerState]:
        timer = self.sla.timer(row, now)
        values = [
            countdown(timer, self.zone, now),
            f"{'⚑' if row.emergency else ' '}{row.id}",
            inert(row.customer),
            row.channel,
            inert(row.summary),
            row.status,
            row.assignee or "-",
            age(row.received_at, now),
        ]
        return values, timer.state

    def _cells(self, row: QueueRow, now: datetime) -> list[object]:
        values, state = self._values(row, now)
        return [Text(values[0], style=STATE_STYLE[state]), *values[1:]]

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        now = self.clock.now()
        model = QueueModel(VIEWER)
        model.load(message.state.requests.values(), now)
        self.rows, self.order = model.rows, list(model.order)
        table = self.query_one(DataTable)
        table.clear()
        keys = table.add_rows(self._cells(self.rows[i], now) for i in self.order)
        self.row_keys = dict(zip(self.order, keys, strict=True))
        self.loaded = True

    @on(BoardChanged)
    def _changed(self, message: BoardChanged) -> None:
        self.apply_rows(message.changes)

    def apply_rows(self, changes: BoardChanges) -> None:
        """Key-based: only the cells whose text changed are updated."""
        table = self.query_one(DataTable)
        now = self.clock.now()
        for row_id in changes.requests_gone:
            key = self.row_keys.pop(row_id, None)
            if key is not None:
                table.remove_row(key)
                self.rows.pop(row_id, None)
                self.order.remove(row_id)
        for row_id, row in changes.requests.items():
            key = self.row_keys.get(row_id)
            if key is None:
                self.row_keys[row_id] = table.add_row(*self._cells(row, now))
                self.order.append(row_id)
            else:
                old, _ = self._values(self.rows[row_id], now)
                new, state = self._values(row, now)
                for index, (column, _label, _width) in enumerate(STOCK_COLUMNS):
                    if old[index] != new[index]:
                        value = Text(new[0], style=STATE_STYLE[state]) if index == 0 else new[index]
                        table.update_cell(key, column, value)
            self.rows[row_id] = row

    def _tick(self) -> None:
        """The visible rows' countdown and age cells, from the clock (no query)."""
        if not self.loaded:
            return
        table = self.query_one(DataTable)
        now = self.clock.now()
        top = int(table.scroll_y)
        for row_id in self.order[top : top + max(0, table.size.height - 1)]:
            row = self.rows[row_id]
            timer = self.sla.timer(row, now)
            text = Text(countdown(timer, self.zone, now), style=STATE_STYLE[timer.state])
            table.update_cell(self.row_keys[row_id], "sla", text)
            table.update_cell(self.row_keys[row_id], "age", age(row.received_at, now))

    def top_ids(self, count: int) -> list[int]:
        return self.order[:count]


# -- measuring one (size, widget) --------------------------------------------------------


@dataclass
class Recorder:
    """Timestamps (`time.perf_counter()`) of each change on its way to the screen."""

    commits: dict[Key, float] = field(default_factory=dict)
    reads: dict[Key, tuple[float, float]] = field(default_factory=dict)
    applied: dict[Key, float] = field(default_factory=dict)
    screen: dict[Key, float] = field(default_factory=dict)
    #: Row id -> changes applied to the widget and not drawn yet.
    waiting: dict[int, list[Key]] = field(default_factory=dict)
    #: Rows whose line the current frame composed.
    rendered: set[int] = field(default_factory=set)
    #: The end of the first frame with rows in it after the app loaded.
    first_frame: float | None = None
    #: When `Board.load` started and returned.
    board_load: tuple[float, float] | None = None

    def wrap_board(self, board: Board) -> None:
        """Note when the board was loaded, when the feed handed over a batch, and when
        its rows were re-read (both on the worker thread)."""
        original = board.changes
        load = board.load

        def timed_load(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            state = load(*args, **kwargs)
            self.board_load = (started, time.perf_counter())
            return state

        def changes(touched: Any, now: datetime, today: Any) -> BoardChanges:
            started = time.perf_counter()
            result = original(touched, now, today)
            done = time.perf_counter()
            for row in result.requests.values():
                self.reads.setdefault((row.id, row.version), (started, done))
            return result

        board.changes = changes  # type: ignore[method-assign]
        board.load = timed_load  # type: ignore[method-assign]

    def wrap_apply(self, target: Any, name: str, rows_of: RowsOf) -> None:
        """Note when changed rows reach the widget (`target.name(...)`)."""
        original = getattr(target, name)

        def apply(*args: Any, **kwargs: Any) -> Any:
            arrived = time.perf_counter()
            keys = [(row.id, row.version) for row in rows_of(*args, **kwargs)]
            result = original(*args, **kwargs)
            for key in keys:
                self.applied.setdefault(key, arrived)
                self.waiting.setdefault(key[0], []).append(key)
            return result

        setattr(target, name, apply)

    def watch_frames(self, table: type[Widget], row_at: RowAt, loaded: Callable[[], bool]) -> None:
        """Stamp the end of each frame in which a changed row's line was composed.

        Patches `table.render_line` (to see which rows a frame draws) and
        `Screen._compositor_refresh` (the end of a frame) in this process only.
        """
        render_line = table.render_line
        compositor_refresh = Screen._compositor_refresh

        def drawing(widget: Any, y: int) -> Strip:
            strip = render_line(widget, y)
            row_id = row_at(widget, y)
            if row_id is not None:
                self.rendered.add(row_id)
            return strip

        def frame(screen: Screen[Any]) -> None:
            compositor_refresh(screen)
            if not self.rendered:
                return
            now = time.perf_counter()
            if self.first_frame is None and loaded():
                self.first_frame = now
            for row_id in self.rendered & self.waiting.keys():
                for key in self.waiting.pop(row_id):
                    self.screen.setdefault(key, now)
            self.rendered.clear()

        table.render_line = drawing  # type: ignore[method-assign]
        Screen._compositor_refresh = frame  # type: ignore[method-assign]

    def drawn(self, key: Key) -> Key | None:
        """The first drawn version of the row at or after `key`'s version."""
        found = [k for k in self.screen if k[0] == key[0] and k[1] >= key[1]]
        return min(found, key=self.screen.__getitem__) if found else None

    def all_drawn(self) -> bool:
        return all(self.drawn(key) is not None for key in list(self.commits))


def write_changes(
    url: str,
    targets: list[int],
    count: int,
    rate: float,
    recorder: Recorder,
    errors: list[str],
    cpu: list[float],
) -> None:
    """Another agent: `count` assignments at `rate`/s through the write path."""
    database = open_database(url)
    clock = SystemClock()
    try:
        with database.session() as session:
            query = (
                select(Request.id, Staff.handle)
                .outerjoin(Staff, Staff.id == Request.assignee_id)
                .where(Request.id.in_(targets))
            )
            current: dict[int, str | None] = {i: h for i, h in session.execute(query)}
        start = time.perf_counter() + 0.05
        for n in range(count):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            request_id = targets[n % len(targets)]
            choices = [h for h in ASSIGNEES if h != current.get(request_id)]
            to = choices[(n // len(targets)) % len(choices)]
            with database.session() as session:
                view = commands.assign(session, ACTOR, clock.now(), request_id=request_id, to=to)
            recorder.commits[(request_id, view.version)] = time.perf_counter()
            current[request_id] = to
    except Exception as exc:  # reported in the result, not swallowed
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        database.dispose()
        cpu.append(time.thread_time())


def _row(order: Sequence[Any], table: Any, y: int) -> int | None:
    """The id on line `y` of a one-header-line table of one-line rows showing `order`."""
    index = int(table.scroll_offset.y) + y - 1
    return int(order[index]) if y >= 1 and 0 <= index < len(order) else None


def _queue_row_at(grid: VirtualGrid, y: int) -> int | None:
    return _row(grid.keys, grid, y) if grid.id == "queue-grid" else None


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _ms(values: Sequence[float], p: float) -> float | None:
    value = percentile(values, p)
    return None if value is None else round(value * 1000, 1)


class GcPauses:
    """Collections of the oldest generation during a phase: each one stops every thread
    for as long as it takes to walk all the objects the collector tracks."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started: float | None = None

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.pauses.append(time.perf_counter() - self._started)
            self._started = None


class Profiler:
    """cProfile of the UI thread over one phase, printed to stderr (with `--profile`)."""

    def __init__(self, enabled: bool, title: str) -> None:
        self.profile = cProfile.Profile() if enabled else None
        self.title = title

    def __enter__(self) -> Profiler:
        if self.profile:
            self.profile.enable()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.profile:
            self.profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(self.profile, stream=out).sort_stats("cumulative")
            stats.print_stats(30)
            print(f"\n===== profile: {self.title} =====\n{out.getvalue()}", file=sys.stderr)


async def measure(widget: str, size: int, url: str, options: argparse.Namespace) -> dict[str, Any]:
    """All four figures for one widget on one database."""
    settings = load_settings()
    database = open_database(url)
    clock = SystemClock()
    feed = Feed(
        database.engine.url,
        clock=clock,
        poll_interval=options.poll_interval or settings.feed.poll_interval,
        safety_interval=settings.feed.safety_interval,
        offline_after=settings.feed.offline_after,
    )
    recorder = Recorder()
    app: App[Any]
    if widget == "ours":
        app = make_app(settings, database, clock, Identity(VIEWER), feed=feed)
    else:
        app = StockConsole(settings, database, clock, feed)
    recorder.wrap_board(app.board)  # type: ignore[attr-defined]
    result: dict[str, Any] = {"loadavg_1m": round(os.getloadavg()[0], 1)}
    result["backend"] = "postgres" if database.dialect == "postgresql" else database.dialect
    result["baseline_rss_mb"] = round(current_rss_mb(), 1)
    profile = options.profile and f"{widget} {size}"

    def loaded() -> bool:
        return bool(getattr(app, "loaded", False))

    if isinstance(app, StockConsole):
        stock = app
        recorder.watch_frames(DataTable, lambda table, y: _row(stock.order, table, y), loaded)
    else:
        recorder.watch_frames(VirtualGrid, _queue_row_at, loaded)

    started, cpu_started = time.perf_counter(), time.process_time()
    async with app.run_test(size=SCREEN) as pilot:
        # 1. first full paint: loaded, and a frame with the queue's rows composed
        while recorder.first_frame is None:
            if time.perf_counter() - started > LOAD_TIMEOUT:
                raise RuntimeError(f"{widget} {size}: not painted after {LOAD_TIMEOUT} s")
            await asyncio.sleep(0.005)
        result["first_paint_s"] = round(recorder.first_frame - started, 3)
        result["first_paint_cpu_s"] = round(time.process_time() - cpu_started, 3)
        if recorder.board_load is not None:
            load_started, load_done = recorder.board_load
            result["paint_until_board_load_s"] = round(load_started - started, 3)
            result["paint_board_load_s"] = round(load_done - load_started, 3)
            result["paint_load_to_frame_s"] = round(recorder.first_frame - load_done, 3)
        if isinstance(app, StockConsole):
            shown, top = app.query_one(DataTable).row_count, app.top_ids(TOP_ROWS)
            recorder.wrap_apply(app, "apply_rows", lambda changes: changes.requests.values())
        else:
            queue = app.query_one(QueuePane)
            shown, top = len(queue.grid.keys), [int(k) for k in queue.grid.keys[:TOP_ROWS]]
            recorder.wrap_apply(queue, "apply", lambda upserts, *_a, **_k: upserts.values())
        if shown != size:
            raise RuntimeError(f"{widget} {size}: {shown} rows shown, expected {size}")
        result["rss_after_paint_mb"] = round(current_rss_mb(), 1)
        result["gc_tracked_objects"] = len(gc.get_objects())

        # 2. idle ticking
        await pilot.pause(SETTLE)
        ui0, cpu0 = time.thread_time(), time.process_time()
        wall0 = time.perf_counter()
        with Profiler(bool(profile), f"{profile}: idle"):
            await asyncio.sleep(options.idle)
        wall = time.perf_counter() - wall0
        cpu, ui = time.process_time() - cpu0, time.thread_time() - ui0
        per_min = 60.0 / wall
        result["idle_cpu_s_per_min"] = round(cpu * per_min, 2)
        result["idle_ui_thread_cpu_s_per_min"] = round(ui * per_min, 2)
        result["idle_other_threads_cpu_s_per_min"] = round((cpu - ui) * per_min, 2)

        # 3. commit-to-screen
        errors: list[str] = []
        writer_cpu: list[float] = []
        writer = threading.Thread(
            target=write_changes,
            args=(url, top, options.changes, options.rate, recorder, errors, writer_cpu),
            name="writer",
        )
        cpu0, ui0 = time.process_time(), time.thread_time()
        wall0 = time.perf_counter()
        with Profiler(bool(profile), f"{profile}: changes"), GcPauses() as collections:
            writer.start()
            while writer.is_alive():
                await asyncio.sleep(0.05)
            deadline = time.perf_counter() + DRAIN_TIMEOUT
            while not recorder.all_drawn() and time.perf_counter() < deadline:
                await asyncio.sleep(0.05)
        wall = time.perf_counter() - wall0
        cpu, ui = time.process_time() - cpu0, time.thread_time() - ui0
        result["changes_cpu_s_per_min"] = round(cpu * 60.0 / wall, 2)
        result["changes_ui_thread_cpu_s_per_min"] = round(ui * 60.0 / wall, 2)
        result["changes_writer_cpu_s"] = round(sum(writer_cpu), 2)
        result["writer_errors"] = errors
        result["feed_status"] = feed.state.status.value  # "live" = pushed, "polling"
        result["changes_gc_gen2"] = len(collections.pauses)
        result["changes_gc_gen2_max_ms"] = _ms(collections.pauses, 100)
    await asyncio.sleep(0)
    database.dispose()

    result.update(latencies(recorder))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def latencies(recorder: Recorder) -> dict[str, Any]:
    total: list[float] = []
    feed_wait: list[float] = []
    reread: list[float] = []
    ui_wait: list[float] = []
    to_frame: list[float] = []
    feed_to_screen: list[float] = []
    missed = superseded = 0
    for key, committed in recorder.commits.items():
        drawn = recorder.drawn(key)
        if drawn is None:
            missed += 1
            continue
        superseded += drawn != key
        total.append(recorder.screen[drawn] - committed)
        read = recorder.reads.get(drawn)
        applied = recorder.applied.get(drawn)
        if read is not None and applied is not None:
            feed_wait.append(read[0] - committed)
            reread.append(read[1] - read[0])
            ui_wait.append(applied - read[1])
            to_frame.append(recorder.screen[drawn] - applied)
            feed_to_screen.append(recorder.screen[drawn] - read[0])
    return {
        "changes": len(recorder.commits),
        "missed": missed,
        "superseded": superseded,
        "commit_to_screen_p50_ms": _ms(total, 50),
        "p99_ms": _ms(total, 99),
        "max_ms": _ms(total, 100),
        "breakdown_ms": {
            "commit_to_feed_read_p50": _ms(feed_wait, 50),
            "commit_to_feed_read_p99": _ms(feed_wait, 99),
            "board_reread_p50": _ms(reread, 50),
            "board_reread_p99": _ms(reread, 99),
            "wait_for_ui_thread_p50": _ms(ui_wait, 50),
            "wait_for_ui_thread_p99": _ms(ui_wait, 99),
            "apply_to_frame_p50": _ms(to_frame, 50),
            "apply_to_frame_p99": _ms(to_frame, 99),
            "feed_to_screen_p50": _ms(feed_to_screen, 50),
            "feed_to_screen_p99": _ms(feed_to_screen, 99),
        },
    }


def run_one(options: argparse.Namespace) -> dict[str, Any]:
    """`--one N`: measure in this process (filling a database of its own without --url/--db)."""
    size, widget = options.one, options.widget
    url = options.url or (options.db and f"sqlite:///{options.db}")
    if url:
        return asyncio.run(measure(widget, size, url, options))
    if options.backend == "postgres":
        pg = TemporaryPostgres()
        try:
            name, _seconds = build_postgres(pg, size)
            return asyncio.run(measure(widget, size, pg_url(name), options))
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


Results = dict[str, dict[str, dict[str, dict[str, Any]]]]  # widget -> backend -> size -> figures


def _cell(value: Any, width: int) -> str:
    text = "-" if value is None else str(value)
    return text.rjust(width)


def _rows(results: Results, sizes: Sequence[int]) -> Iterator[tuple[str, str, int, dict[str, Any]]]:
    """(widget, backend, size, figures) in the tables' order: by size, backend, widget."""
    backends = list(dict.fromkeys(b for by_backend in results.values() for b in by_backend))
    for size in sizes:
        for backend in backends:
            for widget, by_backend in results.items():
                r = by_backend.get(backend, {}).get(str(size))
                if r is not None:
                    yield widget, backend, size, r


def print_tables(results: Results, sizes: Sequence[int]) -> None:
    head = (
        f"{'widget':<6} {'db':<8} {'open':>6} {'paint s':>8} {'idle cpu':>9} {'(ui':>6} "
        f"{'other)':>7} {'c2s p50':>8} {'p99':>7} {'max':>7} {'missed':>6} {'peak MB':>8} "
        f"{'base MB':>8} {'load':>5}"
    )
    print("\nconsole_scale: CPU s per minute; commit-to-screen in ms")
    print(head)
    for widget, backend, size, r in _rows(results, sizes):
        if "error" in r:
            print(f"{widget:<6} {backend:<8} {size:>6} ERROR {r['error']}")
            continue
        print(
            f"{widget:<6} {backend:<8} {size:>6} {_cell(r['first_paint_s'], 8)} "
            f"{_cell(r['idle_cpu_s_per_min'], 9)} "
            f"{_cell(r['idle_ui_thread_cpu_s_per_min'], 6)} "
            f"{_cell(r['idle_other_threads_cpu_s_per_min'], 7)} "
            f"{_cell(r['commit_to_screen_p50_ms'], 8)} {_cell(r['p99_ms'], 7)} "
            f"{_cell(r['max_ms'], 7)} {_cell(r['missed'], 6)} "
            f"{_cell(r['peak_rss_mb'], 8)} {_cell(r['baseline_rss_mb'], 8)} "
            f"{_cell(r['loadavg_1m'], 5)}"
        )
    print("\nwhere commit-to-screen goes (ms, p50/p99): commit->feed read (SQLite: the poll")
    print("wait; Postgres: NOTIFY wake-up), board re-read, wait for the UI thread,")
    print("apply->frame; feed->screen is everything after the feed read; gc2 = full")
    print("(oldest-generation) collections during the changes and the longest, which stall")
    print("every thread of the process")
    print(
        f"{'widget':<6} {'db':<8} {'open':>6} {'feed wait':>13} {'re-read':>13} "
        f"{'ui wait':>13} {'apply->frame':>13} {'feed->screen':>13} {'chg cpu/min':>11} "
        f"{'gc2 n/max ms':>13}"
    )
    for widget, backend, size, r in _rows(results, sizes):
        if "error" in r:
            continue
        b = r["breakdown_ms"]

        def pair(name: str, b: dict[str, Any] = b) -> str:
            return f"{_cell(b[name + '_p50'], 6)}/{_cell(b[name + '_p99'], 6)}"

        print(
            f"{widget:<6} {backend:<8} {size:>6} {pair('commit_to_feed_read')} "
            f"{pair('board_reread')} {pair('wait_for_ui_thread')} {pair('apply_to_frame')} "
            f"{pair('feed_to_screen')} {_cell(r['changes_cpu_s_per_min'], 11)} "
            f"{_cell(r.get('changes_gc_gen2'), 6)}/{_cell(r.get('changes_gc_gen2_max_ms'), 6)}"
        )


def verdict(results: Results) -> dict[str, dict[str, dict[str, bool]]]:
    """Each widget's figures at the target size on each backend against the issue's targets."""
    found: dict[str, dict[str, dict[str, bool]]] = {}
    for widget, by_backend in results.items():
        for backend, by_size in by_backend.items():
            r = by_size.get(str(TARGETS["size"]))
            if r is None or "error" in r:
                continue
            found.setdefault(widget, {})[backend] = {
                name: r[name] is not None and r[name] < limit
                for name, limit in TARGETS.items()
                if name != "size"
            }
    return found


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
    pg = TemporaryPostgres() if "postgres" in backends else None
    try:
        if pg is not None:
            try:
                pg.admin()
            except psycopg.OperationalError as exc:
                print(f"no Postgres on {PG_HOST}:{PG_PORT}: {exc}", file=sys.stderr)
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
                result = run_child(widget, size, backend, pg_url(name), options)
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

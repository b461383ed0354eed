"""Measuring one (size, widget) in this process: first paint, idle CPU, commit to screen, memory."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import resource
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from textual.app import App
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable

from benchmarks.scale.config import (
    ACTOR,
    ASSIGNEES,
    DRAIN_TIMEOUT,
    LOAD_TIMEOUT,
    SCREEN,
    SETTLE,
    TOP_ROWS,
    VIEWER,
    Key,
    RowAt,
    RowsOf,
)
from benchmarks.scale.probes import GcPauses, Profiler, current_rss_mb, ms
from benchmarks.scale.stock import StockConsole
from console.clock import SystemClock
from console.runtime import tune
from console.settings import load_settings
from console.store import commands
from console.store.board import Board
from console.store.board_rows import BoardChanges
from console.store.db import open_database
from console.store.feed import Feed
from console.store.models import Request, Staff
from console.ui.app import Identity, make_app
from console.ui.widgets.grid import VirtualGrid
from console.ui.widgets.queue_pane import QueuePane

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
        tune()  # the process tuning the CLI applies before a console starts
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
        result["changes_gc_gen2_max_ms"] = ms(collections.pauses, 100)
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
        "commit_to_screen_p50_ms": ms(total, 50),
        "p99_ms": ms(total, 99),
        "max_ms": ms(total, 100),
        "breakdown_ms": {
            "commit_to_feed_read_p50": ms(feed_wait, 50),
            "commit_to_feed_read_p99": ms(feed_wait, 99),
            "board_reread_p50": ms(reread, 50),
            "board_reread_p99": ms(reread, 99),
            "wait_for_ui_thread_p50": ms(ui_wait, 50),
            "wait_for_ui_thread_p99": ms(ui_wait, 99),
            "apply_to_frame_p50": ms(to_frame, 50),
            "apply_to_frame_p99": ms(to_frame, 99),
            "feed_to_screen_p50": ms(feed_to_screen, 50),
            "feed_to_screen_p99": ms(feed_to_screen, 99),
        },
    }

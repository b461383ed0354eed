"""console_scale's tables and verdict."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from benchmarks.scale.config import (
    TARGETS,
)

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

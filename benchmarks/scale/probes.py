"""What console_scale reads off a process: memory, percentiles, full collections, a profile."""

from __future__ import annotations

import cProfile
import gc
import io
import math
import os
import pstats
import sys
import time
from collections.abc import Sequence

# -- measuring one (size, widget) --------------------------------------------------------


def current_rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(values: Sequence[float], p: float) -> float | None:
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

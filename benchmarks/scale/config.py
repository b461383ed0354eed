"""console_scale's settings: sizes, screen, who acts, the targets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from console.store.board_rows import QueueRow

SIZES = (1_000, 10_000, 50_000)
BACKENDS = ("sqlite", "postgres")
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

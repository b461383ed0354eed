"""Process tuning for a long-running console, in one place; the CLI calls `tune()` once
before the console starts, and the console calls `settle_heap()` after each full load."""

from __future__ import annotations

import gc
import sys

#: Seconds a thread may hold the GIL before another gets a turn (Python's default: 0.005).
#: With the default a repaint held a lead's write back by 50 ms and more
#: (benchmarks/lead_action.py): the database threads get in more often.
SWITCH_INTERVAL = 0.001


def tune() -> None:
    """Let the console's reader and writer threads in often."""
    sys.setswitchinterval(SWITCH_INTERVAL)


def settle_heap() -> None:
    """After a full load: collect once, then keep the loaded rows out of later full
    collections, which otherwise walk every row and stall a frame for 100 ms or more.
    Unfreezing first lets a reload free the rows of the load before."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()

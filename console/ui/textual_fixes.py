"""Work-arounds for two known Textual retention defects (8.2), each a no-op once fixed.

The acting console of benchmarks/lead_action.py kept about 1,400 dead objects per action;
Python's full garbage collection walks them all, and its pause grew to 370 ms after 150
actions, stalling that console's next write. Two leaks, both cleared here once a second:

- `StylesCache.get_inner_outer` is an `lru_cache` on an instance method (Textual issue
  #6665): its 1,024 keys pin the style caches of widgets long gone, with every line they
  drew. Each dialog and each notification leaves one behind.
- The footer rebuilds its keys whenever the bindings change (a dialog opens, the focus
  moves), and each new key watches the footer's `compact` through a data binding. Watchers
  of closed widgets are dropped only when the watched value changes, which for `compact`
  is never: every rebuild left two dozen dead keys on the footer.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import _styles_cache
from textual.dom import DOMNode


def release_dead_styles() -> None:
    """Drop the cache's keys; the entries of live widgets are recomputed on next paint."""
    cached = getattr(_styles_cache.StylesCache, "get_inner_outer", None)
    clear = getattr(cached, "cache_clear", None)
    if clear is not None:
        clear()


def release_dead_watchers(nodes: Iterable[DOMNode]) -> int:
    """Forget the watchers that closed widgets left on `nodes`; returns how many."""
    dropped = 0
    for node in nodes:
        watchers = getattr(node, "__watchers", None)  # where Textual keeps them
        if not isinstance(watchers, dict):
            continue
        for callbacks in watchers.values():
            alive = [(w, c) for w, c in callbacks if not getattr(w, "_closing", False)]
            dropped += len(callbacks) - len(alive)
            callbacks[:] = alive
    return dropped

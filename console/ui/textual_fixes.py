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

Both reach into Textual's private state, so Textual is pinned exactly (pyproject.toml)
and `check_fixes()`, run once at start-up, tries each on Textual's own objects and logs
a warning (Python `logging`, never the screen) for one that no longer applies: after an
upgrade it then does nothing, quietly, and the leak it fixed may be back (or fixed
upstream). The app runs them on a timer of their own, apart from the clock tick.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from textual import _styles_cache
from textual.dom import DOMNode
from textual.reactive import reactive

log = logging.getLogger(__name__)


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


class _Probe(DOMNode):
    """A node with one reactive, to watch and be watched in the self-check."""

    value = reactive(0)


def check_fixes() -> list[str]:
    """Which work-arounds no longer apply to the installed Textual; each one is logged
    as a warning. Empty when both still find the state they clean."""
    problems = []
    if (
        getattr(getattr(_styles_cache.StylesCache, "get_inner_outer", None), "cache_clear", None)
        is None
    ):
        problems.append(
            "release_dead_styles: StylesCache.get_inner_outer is no longer an lru_cache"
        )
    watched, watcher = _Probe(), _Probe()
    watcher.watch(watched, "value", lambda: None, init=False)
    watcher._closing = True  # as Textual marks a widget that is being removed
    if release_dead_watchers([watched]) != 1:
        problems.append(
            "release_dead_watchers: Textual keeps its watchers elsewhere than __watchers"
        )
    for problem in problems:
        log.warning("Textual work-around no longer applies (textual_fixes.py): %s", problem)
    return problems

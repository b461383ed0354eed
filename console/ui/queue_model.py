"""Moved to `console.ui.model.queue`; kept for the benchmarks that import it from here."""

from console.ui.model.queue import SORTS, QueueModel, QuickFilter, is_breached

__all__ = ["SORTS", "QueueModel", "QuickFilter", "is_breached"]

"""What the report screen's charts count: pure bucketing, the zone passed in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

#: Upper edges of the first-response buckets; the last bucket is "over 4 h".
RESPONSE_EDGES: tuple[timedelta, ...] = (
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=3),
    timedelta(hours=4),
)
#: Labels of the buckets, in order: one more than the edges.
RESPONSE_LABELS: tuple[str, ...] = ("≤30m", "≤1h", "≤2h", "≤3h", "≤4h", ">4h")


def arrivals_by_hour(received: Iterable[datetime], zone: ZoneInfo) -> tuple[int, ...]:
    """How many requests arrived in each hour of the desk's day (24 counts, 00 to 23)."""
    counts = [0] * 24
    for at in received:
        counts[at.astimezone(zone).hour] += 1
    return tuple(counts)


def response_buckets(responses: Iterable[timedelta]) -> tuple[int, ...]:
    """How many first responses took up to 30 min, 1 h, 2 h, 3 h, 4 h, and longer."""
    counts = [0] * (len(RESPONSE_EDGES) + 1)
    for took in responses:
        index = next((i for i, edge in enumerate(RESPONSE_EDGES) if took <= edge), -1)
        counts[index] += 1
    return tuple(counts)

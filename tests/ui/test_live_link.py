"""The console's live link before its first load: an outage's age grows from the first
failure, and turns to OFFLINE after the feed's `offline_after`, as it does once live."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from console.clock import FrozenClock
from console.domain.policy import Policy
from console.store.feed import FeedStatus
from console.ui.live import FeedStateChanged, LiveLink
from tests.conftest import NOW


class DownFeed:
    """A feed whose database does not answer; it stops after `tries` attempts."""

    offline_after = timedelta(seconds=30)

    def __init__(self, clock: FrozenClock, tries: int) -> None:
        self.clock, self.tries = clock, tries

    @property
    def stopped(self) -> bool:
        return self.tries == 0

    def start_at(self, _position: object) -> None:
        self.tries -= 1
        self.clock.advance(timedelta(seconds=10))
        raise OSError("connection refused")

    def run(self, *_callbacks: object) -> None:
        pass


def test_the_outage_ages_from_its_first_failure_and_turns_offline() -> None:
    clock = FrozenClock(NOW)
    posted: list[object] = []
    link = LiveLink(
        board=mock.Mock(),
        feed=DownFeed(clock, tries=5),  # type: ignore[arg-type]
        calendar=Policy.defaults().calendar,
        clock=clock,
        post=posted.append,
    )
    with mock.patch("console.ui.live.time.sleep"):
        link.run()
    states = [m.state for m in posted if isinstance(m, FeedStateChanged)]
    assert len(states) == 5
    assert {s.since for s in states} == {NOW + timedelta(seconds=10)}
    # 10 s after each failure: 0, 10, 20 s old -> reconnecting; 30, 40 s -> offline.
    assert [s.status for s in states] == [FeedStatus.RECONNECTING] * 3 + [FeedStatus.OFFLINE] * 2

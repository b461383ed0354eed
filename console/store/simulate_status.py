"""What a simulator run reports: each `Action`, the run's `Stats`, and a
`SimulatorStatus` a caller watches from another thread (the demo's console)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

__all__ = ["Action", "SimulatorStatus", "Stats"]


@dataclass(frozen=True)
class Action:
    """One change the simulator made: `entity` and `entity_id` name the row its event is about."""

    at: datetime
    kind: str
    actor: str
    entity: str
    entity_id: int
    detail: str

    def line(self, zone: tzinfo | None = None) -> str:
        """One line for a log: time (in `zone`, else UTC), who, what."""
        at = self.at.astimezone(zone or UTC)
        return f"{at:%a %H:%M:%S} {self.actor:<10} {self.kind:<9} {self.detail}"


@dataclass
class Stats:
    """What a run did. `errors` counts database failures and anything unexpected."""

    actions: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0  # stale versions (each retried once, then skipped)
    refused: int = 0  # the write path said no (someone else got there first...)
    idle: int = 0  # nothing to do
    errors: int = 0
    last_error: str | None = None
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.actions.values())

    def line(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.actions.items()))
        return (
            f"simulated {self.total} actions in {self.seconds:.0f} s ({kinds or 'none'}); "
            f"{self.conflicts} conflicts, {self.refused} refused, {self.errors} errors"
        )


class SimulatorStatus:
    """What a caller (the demo's console) may show about a simulator running beside it.

    `problem` is None while all is well, else one line: the last failed step, or that the
    simulator stopped. `subscribe(callback)` calls `callback(line)` from the simulator's
    thread on each new problem (a console hops to its own thread first). This is the hook
    for the console's top line.
    """

    def __init__(self) -> None:
        self.problem: str | None = None
        self.stopped = False
        self._listeners: list[Callable[[str], None]] = []

    def subscribe(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)

    def report(self, line: str, *, stopped: bool = False) -> None:
        """Record a problem; listeners hear it unless it repeats the last one (a step that
        fails every few seconds is said once, not every few seconds)."""
        repeat = line == self.problem and stopped <= self.stopped
        self.problem = line
        self.stopped = self.stopped or stopped
        if not repeat:
            for listener in list(self._listeners):
                listener(line)

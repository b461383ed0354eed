"""The traffic generator: every action it reports is a change with its audit event, it
works on both sides of closing time, and two of them at once on Postgres never break."""

from __future__ import annotations

import random
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.clock import FrozenClock
from console.store import demo, simulate
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.errors import ConflictError, InvalidState
from console.store.models import Event, Request, WorkLog
from tests.conftest import NOW


class Ticking:
    """A clock that moves on by `step` every time it is read (thread-safe)."""

    def __init__(self, at: datetime, step: timedelta) -> None:
        self._at, self._step, self._lock = at, step, threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            self._at += self._step
            return self._at


def events(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Event)) or 0


@pytest.fixture
def sqlite_desk(sqlite_template: Path, tmp_path: Path, rules: Rules) -> Iterator[Database]:
    """A small demo desk (one day of history) in a fresh SQLite file."""
    path = tmp_path / "desk.sqlite3"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}")
    demo.seed(database, NOW, seed=5, rules=rules, history_days=1)
    yield database
    database.dispose()


def test_every_action_is_a_change_with_its_event(sqlite_desk: Database, rules: Rules) -> None:
    demo_desk = sqlite_desk
    seen: list[simulate.Action] = []
    before = events(demo_desk)
    # Desk hours first, then the same desk after closing time (19:00 Chicago = 01:00 UTC).
    for start, count in ((NOW, 80), (NOW + timedelta(hours=9, minutes=30), 40)):
        stats = simulate.run(
            demo_desk,
            Ticking(start, timedelta(seconds=30)),
            rate_per_minute=1_000_000,
            rng_seed=11,
            rules=rules,
            on_action=seen.append,
            max_actions=count,
        )
        assert stats.errors == 0, stats.last_error
    kinds = {action.kind for action in seen}
    assert {"new", "respond", "assign", "resolve", "presence", "work"} <= kinds
    assert len(seen) >= 70
    assert events(demo_desk) >= before + len(seen)
    with demo_desk.session() as session:
        for action in seen:
            found = session.scalar(
                select(func.count()).where(
                    Event.entity == action.entity,
                    Event.entity_id == action.entity_id,
                    Event.at == action.at,
                    Event.actor == action.actor,
                )
            )
            assert found, action
    after_hours = [a for a in seen if a.at >= NOW + timedelta(hours=9)]
    assert not {a.kind for a in after_hours} & {"assign", "presence", "escalate"}


def test_it_stops_when_told(tmp_path: Path, rules: Rules) -> None:
    demo_desk = open_database(f"sqlite:///{tmp_path / 'untouched.sqlite3'}")
    stop = threading.Event()
    stop.set()
    stats = simulate.run(demo_desk, FrozenClock(NOW), 60, None, stop, 1, rules=rules)
    assert stats.total == 0
    with pytest.raises(ValueError, match="rate"):
        simulate.run(demo_desk, FrozenClock(NOW), 0, 1, None, 1, rules=rules)


def test_two_simulators_at_once_on_postgres(database: Database, rules: Rules) -> None:
    if database.dialect != "postgresql":
        pytest.skip("the concurrency test needs Postgres (SQLite writers take turns)")
    demo_desk = database
    demo.seed(demo_desk, NOW, seed=5, rules=rules, history_days=1)
    url = demo_desk.engine.url.render_as_string(hide_password=False)
    clock = Ticking(NOW, timedelta(seconds=5))
    results: dict[int, simulate.Stats] = {}
    crashes: list[BaseException] = []

    def agent(number: int) -> None:
        database = open_database(url)
        try:
            results[number] = simulate.run(database, clock, 1_200, 2.0, None, number, rules=rules)
        except BaseException as exc:
            crashes.append(exc)
        finally:
            database.dispose()

    before = events(demo_desk)
    threads = [threading.Thread(target=agent, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not crashes
    assert sorted(results) == [1, 2], "a simulator did not finish"
    print(*(stats.line() for stats in results.values()), sep="\n")
    for stats in results.values():
        assert stats.errors == 0, stats.last_error
        assert stats.total > 0
    done = sum(s.total for s in results.values())
    assert events(demo_desk) >= before + done


def test_a_conflict_is_retried_once_then_skipped_and_nothing_crashes(
    tmp_path: Path, rules: Rules
) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'untouched.sqlite3'}")
    simulator = simulate.Simulator(database, FrozenClock(NOW), rules, random.Random(1))
    simulator.staff, simulator.contacts = {"ann": (1, "agent", "desk")}, {1: []}
    calls: list[str] = []

    def failing(error: Exception) -> Callable[[object, datetime], None]:
        def handler(session: object, now: datetime) -> None:
            calls.append(type(error).__name__)
            raise error

        return handler

    for error in (
        ConflictError("request", 1, "bob", NOW, 2),
        InvalidState("already responded"),
        RuntimeError("a bug"),
    ):
        simulator.handlers = dict.fromkeys(simulator.handlers, failing(error))
        assert simulator.step() is None
    assert calls == ["ConflictError", "ConflictError", "InvalidState", "RuntimeError"]
    stats = simulator.stats
    assert (stats.conflicts, stats.refused, stats.errors) == (2, 1, 1)
    assert stats.last_error == "RuntimeError: a bug"
    database.dispose()


def test_it_never_acts_as_the_person_signed_in_and_acts_in_a_plausible_order(
    sqlite_desk: Database, rules: Rules
) -> None:
    """The demo opens the console as the desk lead: the simulator is everyone else."""
    with sqlite_desk.session() as session:
        first_new = (session.scalar(select(func.max(Event.id))) or 0) + 1
    seen: list[simulate.Action] = []
    for start, count in ((NOW, 200), (NOW + timedelta(hours=9, minutes=30), 40)):
        stats = simulate.run(
            sqlite_desk,
            Ticking(start, timedelta(seconds=20)),
            rate_per_minute=1_000_000,
            rng_seed=3,
            rules=rules,
            on_action=seen.append,
            max_actions=count,
            signed_in=demo.DESK_LEAD,
        )
        assert stats.errors == 0, stats.last_error
    assert {"reassign", "assign", "work", "respond"} <= {a.kind for a in seen}
    assert demo.DESK_LEAD not in {a.actor for a in seen}
    with sqlite_desk.session() as session:
        actors = set(session.scalars(select(Event.actor).where(Event.id >= first_new)))
        assert actors and demo.DESK_LEAD not in actors
        # Nothing is done to a request before it was received: not work, not a response.
        early_work = session.scalar(
            select(func.count())
            .select_from(WorkLog)
            .join(Request, Request.id == WorkLog.request_id)
            .where(WorkLog.started_at < Request.received_at)
        )
        early_answer = session.scalar(
            select(func.count()).where(Request.first_response_at < Request.received_at)
        )
        assert (early_work, early_answer) == (0, 0)


def test_a_failed_step_is_logged_and_reported(
    sqlite_desk: Database, rules: Rules, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    status = simulate.SimulatorStatus()
    heard: list[str] = []
    status.subscribe(heard.append)

    def broken(self: simulate.Simulator, session: object, now: datetime) -> None:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(simulate.Simulator, "_new", broken)
    monkeypatch.setattr(simulate, "OPEN_WEIGHTS", {"new": 1})
    stats = simulate.run(
        sqlite_desk, FrozenClock(NOW), 1_000_000, None, None, 1, rules=rules,
        max_actions=3, status=status,
    )  # fmt: skip
    assert stats.errors == 3 and stats.last_error == "RuntimeError: disk on fire"
    assert heard == ["simulator step failed: RuntimeError: disk on fire"]  # said once
    assert status.problem == heard[-1] and not status.stopped
    assert "disk on fire" in caplog.text and "Traceback" in caplog.text

"""Idempotency keys in the store: a write under a key lands once, whatever happens to the
connection at COMMIT, and whoever else writes under the same key at the same moment."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from console.store import commands, idempotency
from console.store.commands import Rules
from console.store.commands.base import command
from console.store.db import Database
from console.store.errors import DatabaseFailure, InvalidInput, KeyReused, OutcomeUnknown
from console.store.idempotency import Once, fingerprint, retrying, run_once
from console.store.models import Event, IdempotencyKey, Request
from tests.conftest import NOW
from tests.lost_commit import lose_commit_answer


def once(key: str = "k-1", actor: str = "ari", asked: str = "new email", now=NOW) -> Once:
    return Once(key, actor, fingerprint(asked), now, plain)


def plain(view: Any) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(view), default=str))


def log(rules: Rules, summary: str = "Agenda upload fails"):
    return lambda session: commands.log_request(
        session, "ari", NOW, rules, channel="email", customer="Springfield", summary=summary
    )


def counts(database: Database) -> tuple[int, int, int]:
    with database.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Request)),
            session.scalar(select(func.count()).select_from(Event)),
            session.scalar(select(func.count()).select_from(IdempotencyKey)),
        )


def test_the_same_key_returns_the_first_answer_and_writes_nothing_more(
    desk: Database, rules: Rules, fingerprint_of
) -> None:
    with desk.session() as session:
        first = run_once(session, once(), log(rules))
    assert first["summary"] == "Agenda upload fails" and first["status"] == "open"
    before = fingerprint_of(desk)
    with desk.session() as session:
        again = run_once(session, once(), log(rules))
    assert again == first
    assert fingerprint_of(desk) == before  # not even the key row changed


def test_the_same_key_with_other_arguments_or_another_actor_is_refused(
    desk: Database, rules: Rules, fingerprint_of
) -> None:
    with desk.session() as session:
        run_once(session, once(), log(rules))
    before = fingerprint_of(desk)
    for other in (once(asked="another summary"), once(actor="abe")):
        with desk.session() as session, pytest.raises(KeyReused) as refused:
            run_once(session, other, log(rules, "another summary"))
        assert "\n" not in str(refused.value) and "use a new key" in str(refused.value)
    assert fingerprint_of(desk) == before


@pytest.mark.parametrize("key", ["", "   ", "x" * 201, "a\x00b", "tab\there"])
def test_a_key_that_cannot_be_one_is_refused_before_anything_is_written(
    desk: Database, rules: Rules, key: str, fingerprint_of
) -> None:
    before = fingerprint_of(desk)
    with desk.session() as session, pytest.raises(InvalidInput, match="idempotency key"):
        run_once(session, once(key=key), log(rules))
    assert fingerprint_of(desk) == before


def test_a_refused_write_keeps_no_key(desk: Database, rules: Rules) -> None:
    with desk.session() as session, pytest.raises(InvalidInput):
        run_once(session, once(), log(rules, summary=""))
    assert counts(desk)[2] == 0
    with desk.session() as session:  # the key is still free for the corrected write
        assert run_once(session, once(), log(rules))["summary"] == "Agenda upload fails"


@pytest.mark.parametrize("landed", [True, False], ids=["landed", "not-landed"])
def test_a_connection_lost_at_commit_is_an_unknown_outcome_and_a_retry_lands_once(
    desk: Database, rules: Rules, monkeypatch: pytest.MonkeyPatch, landed: bool
) -> None:
    lost = lose_commit_answer(monkeypatch, landed=landed)
    start = counts(desk)
    with desk.session() as session, pytest.raises(OutcomeUnknown, match="may or may not"):
        run_once(session, once(), log(rules))
    assert counts(desk)[0] == start[0] + (1 if landed else 0)

    def attempt() -> dict[str, Any]:
        with desk.session() as session:
            return run_once(session, once(), log(rules))

    answer = retrying(attempt, pause=lambda _: None)
    assert lost == [1]
    requests, events, keys = counts(desk)
    assert (requests, events, keys) == (start[0] + 1, start[1] + 1, 1)
    with desk.session() as session:
        assert session.get(Request, answer["id"]).summary == "Agenda upload fails"


def test_a_connection_lost_before_commit_is_a_plain_failure(desk: Database) -> None:
    @command
    def broken(session: Session, actor: str, now: object) -> None:
        gone = Exception("server closed the connection unexpectedly")
        raise OperationalError("INSERT", {}, gone, connection_invalidated=True)

    with desk.session() as session, pytest.raises(DatabaseFailure) as failed:
        run_once(session, once(), lambda s: broken(s, "ari", NOW))
    assert not isinstance(failed.value, OutcomeUnknown)  # nothing landed: no doubt
    assert counts(desk)[2] == 0


def test_retrying_backs_off_and_gives_up_after_the_last_wait() -> None:
    pauses: list[float] = []
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OutcomeUnknown("connection lost while committing")
        return "done"

    assert retrying(flaky, waits=(0.0, 0.1, 0.2), pause=pauses.append) == "done"
    assert pauses == [0.0, 0.1] and len(calls) == 3

    def lost() -> str:
        raise OutcomeUnknown("connection lost while committing")

    with pytest.raises(OutcomeUnknown):
        retrying(lost, waits=(0.0, 0.1), pause=pauses.append)
    assert pauses == [0.0, 0.1, 0.0, 0.1]


def test_concurrent_writers_with_one_key_write_once(desk: Database, rules: Rules) -> None:
    writers = 6
    barrier = threading.Barrier(writers)
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    start = counts(desk)

    def write() -> None:
        try:
            with desk.session() as session:
                barrier.wait(timeout=30)
                answers.append(run_once(session, once(), log(rules)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(answers) == writers and all(a == answers[0] for a in answers)
    assert counts(desk) == (start[0] + 1, start[1] + 1, 1)


def _old_keys(database: Database, count: int, age: timedelta) -> None:
    with database.session() as session:
        session.execute(
            insert(IdempotencyKey),
            [
                {
                    "key": f"old-{age.total_seconds():.0f}-{i}",
                    "actor": "ari",
                    "fingerprint": "0" * 64,
                    "created_at": NOW - age,
                    "result": {},
                }
                for i in range(count)
            ],
        )
        session.commit()


def _keys(database: Database) -> list[str]:
    with database.session() as session:
        return sorted(session.scalars(select(IdempotencyKey.key)))


def test_keys_older_than_24_hours_are_purged_in_bounded_batches(
    desk: Database, rules: Rules
) -> None:
    batch = idempotency.PURGE_BATCH
    _old_keys(desk, batch + 5, timedelta(hours=24, minutes=1))
    _old_keys(desk, 3, timedelta(hours=23, minutes=59))
    with desk.session() as session:
        run_once(session, once("new-1"), log(rules))
    left = _keys(desk)
    assert len([k for k in left if k.startswith("old-86460")]) == 5  # one batch went
    assert len([k for k in left if k.startswith("old-86340")]) == 3  # younger: kept
    with desk.session() as session:
        run_once(session, once("new-2", asked="second"), log(rules, "second"))
    left = _keys(desk)
    assert not [k for k in left if k.startswith("old-86460")]
    assert len([k for k in left if k.startswith("old-86340")]) == 3
    assert {"new-1", "new-2"} <= set(left)


def test_a_purged_key_is_forgotten(desk: Database, rules: Rules) -> None:
    with desk.session() as session:
        run_once(session, once(now=NOW - timedelta(hours=25)), log(rules))
    with desk.session() as session:  # another key's claim purges it
        run_once(session, once("other", asked="other"), log(rules, "other"))
    with desk.session() as session:
        run_once(session, once(), log(rules))
    assert counts(desk)[0] == 3

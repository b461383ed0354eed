"""The console's one writer on its own: jobs run in the order handed in, each answered
with a typed message; stopping answers every job handed in first."""

from __future__ import annotations

import uuid
from typing import Any

from console.store import commands
from console.store.board import Board
from console.store.db import Database
from console.store.errors import ConflictError, StoreError
from console.store.idempotency import Once
from console.ui.messages import WriteConflicted, WriteDone, WriteFailed
from console.ui.writer import WriteJob, Writer
from tests.conftest import NOW


def job(do: Any, done: str) -> WriteJob:
    return WriteJob(do, done, [], None, Once(f"t-{uuid.uuid4()}", "lena", done, NOW, lambda _: {}))


def test_jobs_run_in_order_and_each_is_answered(desk: Database) -> None:
    ran: list[str] = []
    answers: list[object] = []
    looked: list[ConflictError] = []

    def conflicted(_session: object) -> None:
        raise ConflictError("request", 7, "abe", NOW, 3)

    def refused(_session: object) -> None:
        raise StoreError("the desk is closed")

    def buggy(_session: object) -> None:
        raise KeyError("colour")

    writer = Writer(
        Board(desk), answers.append, lambda error, again: looked.append(error) or "fresh"
    )

    def present(name: str, state: str) -> Any:
        def do(session: Any) -> object:
            ran.append(name)
            return commands.set_presence(session, "abe", NOW, staff="abe", state=state)

        return do

    writer.submit(job(present("first", "on-a-call"), "first"))
    writer.submit(job(present("second", "available"), "second"))
    for do, name in ((conflicted, "c"), (refused, "r"), (buggy, "b")):
        writer.submit(job(do, name))
    writer.stop()
    assert writer._thread is not None
    writer._thread.join(timeout=120)
    assert ran == ["first", "second"]
    kinds = [type(a) for a in answers]
    assert kinds == [WriteDone, WriteDone, WriteConflicted, WriteFailed, WriteFailed]
    assert [a.job.done for a in answers] == ["first", "second", "c", "r", "b"]  # type: ignore[attr-defined]
    assert looked[0].entity_id == 7 and answers[2].conflict == "fresh"  # type: ignore[attr-defined]
    refusal, bug = answers[3], answers[4]
    assert isinstance(refusal, WriteFailed) and isinstance(bug, WriteFailed)
    assert (refusal.reason, refusal.internal) == ("the desk is closed", False)
    assert bug.internal and "KeyError" in bug.reason

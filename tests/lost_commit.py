"""A connection lost at COMMIT, in process: the first keyed write's COMMIT takes effect
(or not) and then fails as a lost connection does, so the outcome looks unknown."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from console.store import idempotency


def lose_commit_answer(monkeypatch: pytest.MonkeyPatch, *, landed: bool) -> list[int]:
    """The first COMMIT of a keyed write loses its connection: after it took effect
    (`landed`) or before. Returns a list that counts the losses."""
    real = Session.commit
    lost: list[int] = []

    def commit(self: Session) -> None:
        if idempotency.ANSWER in self.info and not lost:
            lost.append(1)
            if landed:
                real(self)
            else:
                self.rollback()
            gone = Exception("server closed the connection unexpectedly")
            raise OperationalError("COMMIT", {}, gone, connection_invalidated=True)
        real(self)

    monkeypatch.setattr(Session, "commit", commit)
    return lost

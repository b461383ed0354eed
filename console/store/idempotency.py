"""Idempotency keys: a write retried under the same key lands exactly once (issue #12).

Why: when the connection drops during COMMIT, the client cannot know whether the write
landed. Retrying blindly may write it twice; not retrying may lose it. So a write may
carry a key. The key's row is inserted first, in the write's own transaction, and the
write's answer is stored on it before the COMMIT: the key exists exactly when the write
does, and a retry that finds it returns the first answer instead of writing again.

What: `run_once(session, once, write)` runs `write` (a call of one `@command`) under
`once.key`. A new key: the write runs, its answer (`once.render(result)`, JSON data) is
stored and returned. A key already there for the same actor and fingerprint (the
caller's digest of what it asked for): the stored answer is returned and nothing is
written. Another actor or fingerprint: `KeyReused`. Keys are kept at least `KEEP` (24 h,
by `created_at` from the caller's clock); every claim deletes up to `PURGE_BATCH` older
ones in its own transaction. `retrying` repeats a call on `OutcomeUnknown`.

How: the key is claimed with INSERT ... ON CONFLICT DO NOTHING, never "check, then
insert". Two writers with one key: on Postgres the second's insert waits for the first
transaction, then finds its key (or claims it, if the first rolled back); on SQLite the
write lock (`BEGIN IMMEDIATE`) serialises them.

How it fails: as any command, with a `StoreError` and nothing written; `InvalidInput`
for a key that is empty, too long or holds control characters; `OutcomeUnknown` when the
connection was lost at COMMIT, the caller's cue to retry with the same key. A key purged
after `KEEP` is forgotten: the same key then writes again.
"""

from __future__ import annotations

import hashlib
import json
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from console.store.dml import insert_for
from console.store.errors import InvalidInput, KeyReused, OutcomeUnknown
from console.store.models import IdempotencyKey

R = TypeVar("R")

#: How long a key is kept at least; older ones are purged as new ones are claimed.
KEEP = timedelta(hours=24)
#: At most this many old keys are deleted per claim, so no write pays for a backlog.
PURGE_BATCH = 100
MAX_KEY = 200
#: Pauses before each retry after an unknown outcome: the first at once, on a new connection.
RETRY_WAITS = (0.0, 0.1, 0.2, 0.4, 0.8, 1.6)
#: `Session.info` keys: the key the next `@command` claims; the answer it stored.
PENDING = "switchboard.once"
ANSWER = "switchboard.once.answer"

_KEYS = IdempotencyKey.__table__.c


@dataclass(frozen=True)
class Once:
    """A write's key, who asks, a digest of what they ask, when, and how to store its answer."""

    key: str
    actor: str
    fingerprint: str
    now: datetime
    render: Callable[[Any], dict[str, Any]]


class _Done(Exception):
    """The key was already used for this very write: its stored answer."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer


def fingerprint(*parts: Any) -> str:
    """A digest of what a write asks for (command and arguments), to compare a retry with."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def check_key(key: str) -> str:
    """`key` if it can be one: 1 to 200 characters, no control characters."""
    if not key or not key.strip():
        raise InvalidInput("the idempotency key is empty")
    if len(key) > MAX_KEY:
        raise InvalidInput(f"the idempotency key is too long ({len(key)} characters; at most 200)")
    for index, char in enumerate(key):
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise InvalidInput(
                f"the idempotency key contains a control character (U+{ord(char):04X}) "
                f"at position {index + 1}"
            )
    return key


def run_once(session: Session, once: Once, write: Callable[[Session], Any]) -> dict[str, Any]:
    """Run `write` under `once.key` (see the module's docstring); its answer, first or stored."""
    check_key(once.key)
    session.info.pop(ANSWER, None)
    session.info[PENDING] = once
    try:
        write(session)
    except _Done as done:
        return done.answer
    finally:
        unclaimed = session.info.pop(PENDING, None)
    if unclaimed is not None:
        raise RuntimeError("the write ran no @command, so its key was never claimed")
    answer: dict[str, Any] = session.info.pop(ANSWER)
    return answer


def claim(session: Session, once: Once) -> None:
    """Inside the command's transaction: purge old keys, then insert `once.key`.

    Raises `_Done` with the stored answer if the key already holds this write, or
    `KeyReused` if it holds another; the command's transaction is then rolled back.
    """
    old = (
        select(_KEYS.key)
        .where(_KEYS.created_at < once.now - KEEP)
        .limit(PURGE_BATCH)
        .with_for_update(skip_locked=True)  # two purgers never wait for each other
    )
    session.execute(delete(IdempotencyKey.__table__).where(_KEYS.key.in_(old)))
    claimed = session.execute(
        insert_for(session, IdempotencyKey.__table__)
        .values(
            key=once.key,
            actor=_who(once.actor),
            fingerprint=once.fingerprint,
            created_at=once.now,
            result=None,
        )
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(_KEYS.key)
    ).first()
    if claimed is not None:
        return
    # Read committed: this statement sees the key that the insert above waited for.
    found = session.execute(
        select(_KEYS.actor, _KEYS.fingerprint, _KEYS.result).where(_KEYS.key == once.key)
    ).first()
    if found is None:  # purged between the two statements: only after 24 h
        raise KeyReused("the idempotency key has just expired: use a new key")
    if found.actor != _who(once.actor) or found.fingerprint != once.fingerprint:
        raise KeyReused(
            "the idempotency key was already used for another write (other arguments or "
            "another person): use a new key"
        )
    raise _Done(found.result or {})


def settle(session: Session, once: Once, result: Any) -> None:
    """Store the write's answer on its key, in the same transaction."""
    answer = once.render(result)
    session.execute(
        update(IdempotencyKey.__table__).where(_KEYS.key == once.key).values(result=answer)
    )
    session.info[ANSWER] = answer


def retrying(
    attempt: Callable[[], R],
    waits: Sequence[float] = RETRY_WAITS,
    pause: Callable[[float], None] = time.sleep,
) -> R:
    """`attempt()`, called again after each `OutcomeUnknown`, at most `len(waits) + 1` times.

    Only safe when every call carries the same idempotency key.
    """
    for wait in waits:
        try:
            return attempt()
        except OutcomeUnknown:
            pause(wait)
    return attempt()


def _who(actor: str | None) -> str:
    # Escaped: whatever was typed as a handle is stored (a NUL is not Postgres text).
    return (actor or "").strip().lower().encode("unicode_escape").decode("ascii")


__all__ = ["KEEP", "Once", "check_key", "fingerprint", "retrying", "run_once"]

"""Reading the desk policy record: the version in effect, one in effect at an instant, history.

Why: every process of a desk (each agent's CLI, each console, the reports) must apply
the same hours, holidays, targets and rates, so the policy is rows in the shared
database (`policy_versions`), changed only through `commands.policy`. A desk that never
changed its policy has no rows and runs on the contract's defaults (version 0).

What: `current_policy(session)` is the newest version; `policy_at(session, at)` the one
in effect at an instant (for reports: a closure added today does not rewrite last
month); `PolicyTimeline` answers that for many instants from one read. Building a
`Policy` (its calendar and holiday tables) is the costly part, so built policies are
cached per process by their document's text, so the cache cannot be stale, and the
reader always asks the database which version is newest.

How it fails: a stored document that no longer validates (written by a newer or broken
client) raises `InvalidState` naming the version, rather than running on a guess.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.policy import Policy, PolicyError, normalise
from console.store.errors import InvalidState
from console.store.models import PolicyVersion


@dataclass(frozen=True)
class PolicyRecord:
    """A version of the policy: number 0 is the contract's defaults (never written)."""

    number: int
    policy: Policy
    created_at: datetime | None
    created_by: str | None
    reason: str | None
    change: str | None = None

    def view(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "change": self.change,
            "reason": self.reason,
            "document": self.policy.document,
        }


#: How an import's `change` begins: its rules held before it too (see `PolicyTimeline`).
IMPORT = "import "
#: A stored document (as canonical JSON) to the policy built from it.
_BUILT: dict[str, Policy] = {}
_DEFAULTS = PolicyRecord(0, Policy.defaults(), None, None, "the contract's defaults")


def _record(session: Session, row: PolicyVersion) -> PolicyRecord:
    key = json.dumps(row.document, sort_keys=True)
    policy = _BUILT.get(key)
    if policy is None:
        try:
            policy = Policy(normalise(row.document))
        except PolicyError as exc:
            raise InvalidState(f"policy version {row.number} cannot be used: {exc}") from None
        if len(_BUILT) > 64:  # a long-lived console sees a few versions a day at most
            _BUILT.clear()
        _BUILT[key] = policy
    return PolicyRecord(row.number, policy, row.created_at, row.created_by, row.reason, row.change)


def current_policy(session: Session) -> PolicyRecord:
    """The version in effect now: the newest, else the contract's defaults."""
    row = session.scalars(
        select(PolicyVersion).order_by(PolicyVersion.number.desc()).limit(1)
    ).first()
    return _DEFAULTS if row is None else _record(session, row)


def policy_history(session: Session) -> list[PolicyRecord]:
    """Every version, oldest first (version 0 when none was ever written)."""
    rows = session.scalars(select(PolicyVersion).order_by(PolicyVersion.number)).all()
    return [_record(session, row) for row in rows] or [_DEFAULTS]


class PolicyTimeline:
    """Which version was in effect at an instant, from one read of the history.

    Before the first version the contract's defaults applied, unless that version is an
    import: a desk's old settings file carries its rules back over the requests it has.
    """

    def __init__(self, records: Sequence[PolicyRecord]) -> None:
        self.records = list(records)
        first = self.records[0]
        if first.number and not (first.change or "").startswith(IMPORT):
            self.records.insert(0, _DEFAULTS)
        self._starts = [r.created_at for r in self.records[1:] if r.created_at is not None]

    @classmethod
    def read(cls, session: Session) -> PolicyTimeline:
        return cls(policy_history(session))

    @classmethod
    def of(cls, policy: Policy | PolicyTimeline) -> PolicyTimeline:
        """`policy` as a timeline: one fixed policy applies at every instant."""
        if isinstance(policy, PolicyTimeline):
            return policy
        return cls([PolicyRecord(0, policy, None, None, None)])

    def at(self, at: datetime) -> Policy:
        return self.records[bisect.bisect_right(self._starts, at)].policy

    @property
    def current(self) -> Policy:
        return self.records[-1].policy


def policy_at(session: Session, at: datetime) -> Policy:
    """The policy in effect at `at` (see `PolicyTimeline`)."""
    return PolicyTimeline.read(session).at(at)

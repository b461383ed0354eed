"""What can go wrong in the store; every message is one line a person can act on.

Nothing is written when any of these is raised by a command.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


class StoreError(Exception):
    """Base of every store error."""


class NotFound(StoreError):
    """An unknown request, customer, contact, staff handle or escalation."""


class InvalidInput(StoreError):
    """A value that cannot be accepted (too long, control characters, bad range...)."""


class InvalidState(StoreError):
    """The action does not apply now (resolving a resolved request, a second response...)."""


class PermissionDenied(StoreError):
    """The actor's role does not allow the action (POLICY.md section 8)."""


class ConflictError(StoreError):
    """Someone else changed the row since the caller read it.

    Carries what a person needs to look again: the row (`entity`, `entity_id`), the
    request it belongs to and its customer, who changed it last, when, and the version it
    is at now. The message is plain (handles, UTC); screens and the CLI word it in desk
    time and names (`console.ui.conflicts`, `console.cli.store_access`).
    """

    def __init__(
        self,
        entity: str,
        entity_id: int,
        changed_by: str | None,
        changed_at: datetime | None,
        version: int | None,
        *,
        request_id: int | None = None,
        customer: str | None = None,
    ) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.version = version
        self.request_id = request_id
        self.customer = customer
        when = f" at {changed_at.isoformat()}" if changed_at else ""
        super().__init__(
            f"{self.subject} was changed by {changed_by or 'someone'}{when} "
            f"(now version {version}): reload it and try again"
        )

    @property
    def subject(self) -> str:
        """What changed, by request: `request 249 (Fargo)`, `the escalation of request 249
        (Fargo)`; by row id when the request is unknown."""
        if self.request_id is None:
            return f"{self.entity} {self.entity_id}"
        customer = f" ({self.customer})" if self.customer else ""
        request = f"request {self.request_id}{customer}"
        return request if self.entity == "request" else f"the {self.entity} of {request}"


class SchemaMismatch(StoreError):
    """The database's schema revision is not the one this version of the code needs."""


class DatabaseFailure(StoreError):
    """The database could not take the statement: busy, read-only, full, or unreachable."""


class OutcomeUnknown(DatabaseFailure):
    """The connection was lost during COMMIT: the write may or may not have landed.

    Only a retry with the same idempotency key can settle it (`console.store.idempotency`).
    """


class KeyReused(InvalidInput):
    """An idempotency key already used for another write (other arguments or actor)."""


#: SQLite's primary result codes (https://sqlite.org/rescode.html) for a file it cannot write.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_FULL, _SQLITE_CANTOPEN = 5, 6, 8, 13, 14


def database_failure(exc: Any, where: str) -> DatabaseFailure:
    """A driver's operational error (`exc.orig` of SQLAlchemy's) as one line naming `where`
    (a URL already safe to print): what happened and what to do, never the SQL."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return DatabaseFailure(
            f"database is busy: another program is writing to {where}; try again"
        )
    if primary == _SQLITE_READONLY:
        return DatabaseFailure(
            f"cannot write to {where}: the database is read-only "
            "(check the permissions of the file and its folder)"
        )
    if primary == _SQLITE_FULL:
        return DatabaseFailure(f"cannot write to {where}: the disk is full")
    if primary == _SQLITE_CANTOPEN:
        return DatabaseFailure(
            f"cannot open {where} (check that the file and its folder exist and may be written)"
        )
    lines = str(orig).strip().splitlines() if orig is not None else []
    detail = lines[0] if lines else type(exc).__name__
    return DatabaseFailure(f"database error on {where}: {detail}")

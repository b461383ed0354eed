"""What can go wrong in the store; every message is one line a person can act on.

Nothing is written when any of these is raised by a command.
"""

from __future__ import annotations

from datetime import datetime


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
    """Someone else changed the row since the caller read it."""

    def __init__(
        self,
        entity: str,
        entity_id: int,
        changed_by: str | None,
        changed_at: datetime | None,
        version: int | None,
    ) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.version = version
        who = changed_by or "someone"
        when = f" at {changed_at.isoformat()}" if changed_at else ""
        super().__init__(
            f"{entity} {entity_id} was changed by {who}{when} (now version {version}): "
            "reload it and try again"
        )


class SchemaMismatch(StoreError):
    """The database's schema revision is not the one this version of the code needs."""

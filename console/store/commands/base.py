"""What every command shares: the transaction, the actor's role, lookups, and the input
checks of `checks.py` (re-exported here).

A command is a function `(session, actor, now, ...)` wrapped in `@command`: it either
commits its rows and events together or raises a `StoreError` with nothing written.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from console.domain.calendar import DeskCalendar
from console.domain.policy import Policy
from console.domain.sla import SlaPolicy
from console.store import idempotency
from console.store.commands.checks import (
    CLOCK_TOLERANCE,
    HANDLE,
    LIMITS,
    clean_handle,
    clean_text,
    did_you_mean,
    not_future,
    one_of,
    shown,
)
from console.store.db import safe_url
from console.store.enums import Role
from console.store.errors import (
    ConflictError,
    InvalidInput,
    InvalidState,
    NotFound,
    OutcomeUnknown,
    PermissionDenied,
    StoreError,
    database_failure,
)
from console.store.models import Customer, Escalation, Event, Request, Staff
from console.store.policy import current_policy

P = ParamSpec("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


@dataclass(frozen=True)
class Rules:
    """The policy a command applies: the version in effect (calendar, targets, rates)."""

    policy: Policy
    #: The policy version it came from (0: the contract's defaults).
    number: int = 0

    @property
    def sla(self) -> SlaPolicy:
        return self.policy.sla

    @property
    def calendar(self) -> DeskCalendar:
        return self.policy.calendar

    @classmethod
    def defaults(cls) -> Rules:
        """The contract's rules, for a desk without a database (or a test)."""
        return cls(Policy.defaults())

    @classmethod
    def read(cls, session: Session) -> Rules:
        """The rules in effect in the database now (see `console.store.policy`)."""
        record = current_policy(session)
        return cls(record.policy, record.number)


@dataclass(frozen=True, slots=True)
class StaffMember:
    """What a command needs of a staff row: read once per session (see `staff_named`)."""

    id: int
    handle: str
    role: str
    department: str
    active: bool


#: `Session.info` keys: active staff by handle, kept for the session's life and dropped on
#: any rollback; names read during the current command, by (entity, id), for its view.
STAFF_CACHE = "switchboard.staff"
NAMES = "switchboard.names"


class Command(Protocol[P, R_co]):
    """A function wrapped in `@command`: a call runs it as its own transaction;
    `__wrapped__` runs it inside the caller's (as `leads.together` does)."""

    @property
    def __wrapped__(self) -> Callable[P, R_co]: ...

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co: ...


class _Stale(Exception):
    def __init__(self, entity: str, entity_id: int) -> None:
        self.entity, self.entity_id = entity, entity_id


def command(fn: Callable[P, R]) -> Command[P, R]:
    """Run `fn` as one transaction: commit on success, roll back on any error.

    A lost update race (a stale `version`) becomes `ConflictError` naming who changed
    the row last and when; an integrity violation becomes `InvalidState`; a database that
    cannot take the write (busy, read-only, full, connection lost) `DatabaseFailure`, and
    a connection lost during COMMIT `OutcomeUnknown`. Under `idempotency.run_once` the
    key is claimed first and the answer stored last, in the same transaction.
    """

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = args[0]
        assert isinstance(session, Session)
        info = session.info
        info[NAMES] = {}
        once = info.pop(idempotency.PENDING, None)
        committing = False
        try:
            if once is not None:
                idempotency.claim(session, once)
            result = fn(*args, **kwargs)
            if once is not None:
                idempotency.settle(session, once, result)
            committing = True
            session.commit()
            return result
        except _Stale as stale:
            _rollback(session)
            raise _conflict(session, stale.entity, stale.entity_id) from None
        except StaleDataError as exc:
            _rollback(session)
            entity, entity_id = info.pop("guarded", ("row", 0))
            raise _conflict(session, entity, entity_id) from exc
        except IntegrityError as exc:
            _rollback(session)
            detail = str(exc.orig).splitlines()[0] if exc.orig else "constraint violated"
            raise InvalidState(f"the change clashes with existing data ({detail})") from None
        except OperationalError as exc:
            url = session.get_bind().engine.url
            with contextlib.suppress(SQLAlchemyError):  # the connection may be gone
                _rollback(session)
            failure = database_failure(exc, safe_url(url))
            if committing and exc.connection_invalidated:
                failure = OutcomeUnknown(
                    f"connection lost while committing to {safe_url(url)}: "
                    "the write may or may not have been saved"
                )
            if url.password:
                failure = type(failure)(str(failure).replace(str(url.password), "***"))
            raise failure from None
        except BaseException:
            _rollback(session)
            raise
        finally:
            info.pop("guarded", None)
            info.pop(NAMES, None)

    return wrapper


def _rollback(session: Session) -> None:
    # Whatever this session read about staff may belong to the undone transaction.
    session.info.pop(STAFF_CACHE, None)
    session.rollback()


def _conflict(session: Session, entity: str, entity_id: int) -> ConflictError:
    try:
        last = session.scalars(
            select(Event)
            .where(Event.entity == entity, Event.entity_id == entity_id)
            .order_by(Event.id.desc())
            .limit(1)
        ).first()
        version = (last.after or {}).get("version") if last else None
        request_id, customer = _request_of(session, entity, entity_id)
        return ConflictError(
            entity,
            entity_id,
            last.actor if last else None,
            last.at if last else None,
            version,
            request_id=request_id,
            customer=customer,
        )
    finally:
        session.rollback()


def _request_of(session: Session, entity: str, entity_id: int) -> tuple[int | None, str | None]:
    """The request a conflicting row belongs to and its customer, as people name it."""
    if entity == "request":
        request_id: int | None = entity_id
    elif entity == "escalation":
        request_id = session.scalar(select(Escalation.request_id).where(Escalation.id == entity_id))
    else:
        return None, None
    customer = session.scalar(
        select(Customer.municipality)
        .join(Request, Request.customer_id == Customer.id)
        .where(Request.id == request_id)
    )
    return request_id, customer


def guard(session: Session, row: Any, entity: str, expected_version: int | None) -> None:
    """Refuse to change `row` if the caller saw another version; flushes detect races."""
    session.info["guarded"] = (entity, row.id)
    if expected_version is not None and row.version != expected_version:
        raise _Stale(entity, row.id)


def save(session: Session) -> None:
    """Write pending row changes now (before their event), so races surface here."""
    session.flush()


# -- who is acting -------------------------------------------------------------------

ACTIONS_NEED = {
    Role.AGENT: "an agent, dispatcher or lead",
    Role.DISPATCHER: "a dispatcher or lead",
    Role.LEAD: "a lead",
}


def actor(session: Session, handle: str, needs: Role, action: str) -> StaffMember:
    """The active staff member `handle`, if their role allows `action` (POLICY.md s. 8)."""
    staff = staff_named(session, handle, what="acting staff member")
    if Role(staff.role).rank < needs.rank:
        raise PermissionDenied(
            f"{staff.handle} is {_article(staff.role)} {staff.role}; {action} needs "
            f"{ACTIONS_NEED[needs]}"
        )
    return staff


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def staff_named(session: Session, handle: str, what: str = "staff member") -> StaffMember:
    """The active staff member with `handle`, or `NotFound`.

    Found members are kept in the session (`Session.info`) so a session that runs many
    commands reads each actor once; a rollback drops them. Sessions are short (one per
    user action), so a role change reaches the next action.
    """
    key = (handle or "").strip().lower()
    cache: dict[str, StaffMember] = session.info.setdefault(STAFF_CACHE, {})
    staff = cache.get(key)
    if staff is None and HANDLE.fullmatch(key):
        found = session.execute(_STAFF_BY_HANDLE, {"handle": key}).first()
        if found is not None:
            staff = StaffMember(*found)
            if staff.active:
                cache[key] = staff
    if staff is None or not staff.active:
        handles = session.scalars(select(Staff.handle).where(Staff.active.is_(True))).all()
        raise NotFound(
            f"no active {what} with handle {shown(handle)}{did_you_mean(str(handle), handles)}"
        )
    return staff


_STAFF = Staff.__table__.c
_STAFF_BY_HANDLE = select(
    _STAFF.id, _STAFF.handle, _STAFF.role, _STAFF.department, _STAFF.active
).where(_STAFF.handle == bindparam("handle"))


def handle_of(session: Session, staff_id: int | None) -> str | None:
    """The handle of staff member `staff_id` (None for None), from the session's staff."""
    if staff_id is None:
        return None
    cache: dict[str, StaffMember] = session.info.get(STAFF_CACHE, {})
    for staff in cache.values():
        if staff.id == staff_id:
            return staff.handle
    row = session.get(Staff, staff_id)
    return row.handle if row else None


def remember(session: Session, entity: str, entity_id: int | None, name: str | None) -> None:
    """Note a name read during this command, for the view it returns."""
    names = session.info.get(NAMES)
    if names is not None and entity_id is not None:
        names[entity, entity_id] = name


def recall(session: Session, entity: str, entity_id: int | None) -> str | None:
    """A name noted by `remember` during this command, or None."""
    if entity_id is None:  # `remember` notes no name without an id
        return None
    names: dict[tuple[str, int], str | None] = session.info.get(NAMES, {})
    return names.get((entity, entity_id))


def customer_named(session: Session, name_or_id: str | int) -> Customer:
    """A customer by id (digits) or municipality name (case-insensitive), or `NotFound`."""
    text = str(name_or_id).strip()
    customer = None
    if text.isdigit() and len(text) < 12:
        customer = session.get(Customer, int(text))
    elif 0 < len(text) <= LIMITS["name"]:
        customer = session.scalars(_CUSTOMER_BY_NAME, {"name": text.lower()}).first()
    if customer is None:
        names = session.scalars(select(Customer.municipality)).all()
        raise NotFound(f"no customer {shown(text)}{did_you_mean(text, names)}")
    remember(session, "customer", customer.id, customer.municipality)
    return customer


_CUSTOMER_BY_NAME = select(Customer).where(
    func.lower(Customer.municipality) == bindparam("name", type_=Customer.municipality.type)
)


__all__ = [
    "CLOCK_TOLERANCE",
    "HANDLE",
    "LIMITS",
    "Command",
    "InvalidInput",
    "InvalidState",
    "NotFound",
    "PermissionDenied",
    "Rules",
    "StaffMember",
    "StoreError",
    "actor",
    "clean_handle",
    "clean_text",
    "command",
    "customer_named",
    "did_you_mean",
    "guard",
    "handle_of",
    "not_future",
    "one_of",
    "recall",
    "remember",
    "save",
    "shown",
    "staff_named",
]

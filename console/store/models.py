"""The tables every console and desk agent share (SQLAlchemy 2.0 typed models).

Instants are UTC (`UtcDateTime`). Enumerated values are stored as their plain text
(see `console.store.enums` and the domain's enums). `requests` and `escalations`
carry a `version` that every update bumps, so a stale write is detected, not lost.
`events` is append-only: the write path inserts, nothing updates or deletes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from console.store.types import BigId, Document, UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: Document,
    }
    if TYPE_CHECKING:
        # Every model here maps one Table (SQLAlchemy types it as any FromClause), so
        # Core statements may be built on `Model.__table__`.
        __table__: ClassVar[Table]


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint("role IN ('agent', 'dispatcher', 'lead')", name="role"),
        CheckConstraint("department IN ('desk', 'customer-care', 'technical')", name="department"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime]


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality: Mapped[str] = mapped_column(String(200), unique=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    next_check_in: Mapped[date | None] = mapped_column(Date)
    added_at: Mapped[datetime]


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    designated_for_emergencies: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime]


class Shift(Base):
    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("kind IN ('duty', 'on-call')", name="kind"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_shifts_by_time", "ends_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]


class AgentPresence(Base):
    __tablename__ = "agent_presence"
    __table_args__ = (CheckConstraint("state IN ('available', 'on-a-call', 'away')", name="state"),)

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime]


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (
        CheckConstraint("channel IN ('call', 'voicemail', 'email', 'portal')", name="channel"),
        CheckConstraint("status IN ('open', 'resolved', 'triage')", name="status"),
        # A request in triage (mail from an unknown sender) has no customer until attached.
        CheckConstraint(
            "(customer_id IS NULL) = (status = 'triage')", name="customer_unless_triage"
        ),
        CheckConstraint(
            "billing_state IN ('none', 'needs-notice', 'notified', 'declined')",
            name="billing_state",
        ),
        # The console's queue: open requests, soonest due first.
        Index("ix_requests_open_by_due", "status", "due_at"),
        Index("ix_requests_customer", "customer_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None only while in triage (`status` 'triage'): mail from a sender nobody knows.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    channel: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    #: An emergency raised by a contact who is not designated: the dispatcher verifies it.
    emergency_unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    billing_state: Mapped[str] = mapped_column(String(20), default="none")
    #: The staff member who logged it; None when a service (mail intake, the portal)
    #: filed it: the event names the service.
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: A customer's mail to a request resolved long ago starts this one, linked to it.
    follows_request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))

    __mapper_args__ = {"version_id_col": version}


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint(
            "destination IN ('customer-care', 'technical', 'person')", name="destination"
        ),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        # The console's escalation panes: open ones per destination.
        Index("ix_escalations_open_by_destination", "status", "destination"),
        Index("ix_escalations_request", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    kind: Mapped[str] = mapped_column(String(30))
    destination: Mapped[str] = mapped_column(String(20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    #: Order in the technical team's tracker, set by a technical lead (1 comes first).
    technical_priority: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class WorkLog(Base):
    __tablename__ = "work_logs"
    __table_args__ = (CheckConstraint("ended_at >= started_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    logged_at: Mapped[datetime]


class BillingNotice(Base):
    __tablename__ = "billing_notices"
    __table_args__ = (CheckConstraint("method IN ('phone', 'email', 'portal')", name="method"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    #: Who told the customer; None when the portal showed the notice and they accepted it.
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    given_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(20))
    #: The Message-ID of the notice mailed to the customer (method email; issue 15).
    message_id: Mapped[str | None] = mapped_column(String(200))


class Event(Base):
    """One change, as it happened: append-only audit history and the consoles' feed.

    `transaction_id` is the writing Postgres transaction (`pg_current_xact_id()`), so a
    reader can hold back events of transactions still in flight; NULL on SQLite.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_entity", "entity", "entity_id", "id"),
        Index("ix_events_transaction", "transaction_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    transaction_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    #: A service login's event: for whom it acted (e.g. `contact:17`); NULL otherwise.
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))


class DbLogin(Base):
    """A Postgres login bound to the staff member or service it acts as (`db grant`).

    A login without a row here acts as the staff member whose handle is its name.
    """

    __tablename__ = "db_logins"
    __table_args__ = (
        CheckConstraint("(staff_id IS NULL) <> (service IS NULL)", name="staff_or_service"),
    )

    login: Mapped[str] = mapped_column(String(63), primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    service: Mapped[str | None] = mapped_column(String(32))


class IdempotencyKey(Base):
    """A write done under a caller's key, with what it answered (`console.store.idempotency`).

    Written in the same transaction as the write itself, so the key exists exactly when
    the write does; the primary key decides between two writers with the same key.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_created_at", "created_at"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    actor: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    result: Mapped[dict[str, Any] | None]


class PolicyVersion(Base):
    """One version of the desk policy (hours, holidays, targets, rates); never updated.

    The version in effect is the one with the highest `number`; a desk with none runs on
    the contract's defaults. `document` is the whole policy (`console.domain.policy`).
    """

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(32))
    #: What changed, e.g. "closure add 2026-12-01" or "import desk.toml".
    change: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


# The tables of later issues, in modules of their own, join the metadata here.
from console.store import models_mail as _models_mail  # noqa: E402, F401  (issue 15)
from console.store import models_paging as _models_paging  # noqa: E402, F401  (issue 16)
from console.store import models_portal as _models_portal  # noqa: E402, F401  (issue 17)

"""Initial schema: staff, customers, contacts, shifts, presence, requests, escalations,
work logs, billing notices and the append-only events.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 05:45:42.275006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("transaction_id", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_entity", "events", ["entity", "entity_id", "id"])
    op.create_index("ix_events_transaction", "events", ["transaction_id"])

    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("department", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "department IN ('desk', 'customer-care', 'technical')", name=op.f("ck_staff_department")
        ),
        sa.CheckConstraint("role IN ('agent', 'dispatcher', 'lead')", name=op.f("ck_staff_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("handle", name=op.f("uq_staff_handle")),
    )
    op.create_table(
        "agent_presence",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('available', 'on-a-call', 'away')", name=op.f("ck_agent_presence_state")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_agent_presence_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_agent_presence")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=False),
        sa.Column("liaison_id", sa.Integer(), nullable=False),
        sa.Column("next_check_in", sa.Date(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["liaison_id"], ["staff.id"], name=op.f("fk_customers_liaison_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("municipality", name=op.f("uq_customers_municipality")),
    )
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('duty', 'on-call')", name=op.f("ck_shifts_kind")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_shifts_ends_after_start")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_shifts_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    op.create_index("ix_shifts_by_time", "shifts", ["ends_at", "starts_at"])

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("designated_for_emergencies", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_contacts_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(op.f("ix_contacts_customer_id"), "contacts", ["customer_id"])

    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("emergency_unverified", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("billing_state", sa.String(length=20), nullable=False),
        sa.Column("logged_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "billing_state IN ('none', 'needs-notice', 'notified', 'declined')",
            name=op.f("ck_requests_billing_state"),
        ),
        sa.CheckConstraint(
            "channel IN ('call', 'voicemail', 'email', 'portal')", name=op.f("ck_requests_channel")
        ),
        sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f("ck_requests_status")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff.id"], name=op.f("fk_requests_assignee_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_requests_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_requests_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"], ["staff.id"], name=op.f("fk_requests_logged_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
    )
    op.create_index("ix_requests_customer", "requests", ["customer_id", "received_at"])
    op.create_index("ix_requests_open_by_due", "requests", ["status", "due_at"])

    op.create_table(
        "billing_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.CheckConstraint("method IN ('phone', 'email')", name=op.f("ck_billing_notices_method")),
        sa.ForeignKeyConstraint(
            ["given_by_id"], ["staff.id"], name=op.f("fk_billing_notices_given_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_billing_notices_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_notices")),
    )
    op.create_index(op.f("ix_billing_notices_request_id"), "billing_notices", ["request_id"])

    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("destination", sa.String(length=20), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("technical_priority", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "destination IN ('customer-care', 'technical', 'person')",
            name=op.f("ck_escalations_destination"),
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_escalations_status")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff.id"], name=op.f("fk_escalations_assignee_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_escalations_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    op.create_index("ix_escalations_open_by_destination", "escalations", ["status", "destination"])
    op.create_index("ix_escalations_request", "escalations", ["request_id"])

    op.create_table(
        "work_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ended_at >= started_at", name=op.f("ck_work_logs_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_work_logs_request_id_requests")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_work_logs_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_logs")),
    )
    op.create_index(op.f("ix_work_logs_request_id"), "work_logs", ["request_id"])

    _protect_events()


APPEND_ONLY = "events are append-only"


def _protect_events() -> None:
    """The audit history is never edited: the database itself refuses it."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def _unprotect_events() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")


def downgrade() -> None:
    _unprotect_events()
    op.drop_index(op.f("ix_work_logs_request_id"), table_name="work_logs")

    op.drop_table("work_logs")
    op.drop_index("ix_escalations_request", table_name="escalations")
    op.drop_index("ix_escalations_open_by_destination", table_name="escalations")

    op.drop_table("escalations")
    op.drop_index(op.f("ix_billing_notices_request_id"), table_name="billing_notices")

    op.drop_table("billing_notices")
    op.drop_index("ix_requests_open_by_due", table_name="requests")
    op.drop_index("ix_requests_customer", table_name="requests")

    op.drop_table("requests")
    op.drop_index(op.f("ix_contacts_customer_id"), table_name="contacts")

    op.drop_table("contacts")
    op.drop_index("ix_shifts_by_time", table_name="shifts")

    op.drop_table("shifts")
    op.drop_table("customers")
    op.drop_table("agent_presence")
    op.drop_table("staff")
    op.drop_index("ix_events_transaction", table_name="events")
    op.drop_index("ix_events_entity", table_name="events")

    op.drop_table("events")

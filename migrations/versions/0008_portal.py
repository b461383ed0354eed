"""The customer portal (issue 17): accounts, passwords, sessions, failed sign-ins, messages;
a request may be filed, and a billing notice accepted, by the portal (no staff member).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from console.store import audited

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)
METHODS_BEFORE = "method IN ('phone', 'email')"
METHODS_AFTER = "method IN ('phone', 'email', 'portal')"


def upgrade() -> None:
    op.create_table(
        "portal_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", UTC, nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("disabled_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_portal_accounts_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_accounts")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_portal_accounts_contact_id")),
        sa.UniqueConstraint("email", name=op.f("uq_portal_accounts_email")),
    )
    op.create_table(
        "portal_passwords",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.Text(), nullable=False),
        sa.Column("set_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
            name=op.f("fk_portal_passwords_account_id_portal_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_portal_passwords")),
    )
    op.create_table(
        "portal_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("seen_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
            name=op.f("fk_portal_sessions_account_id_portal_accounts"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_portal_sessions")),
    )
    op.create_index(
        op.f("ix_portal_sessions_account_id"), "portal_sessions", ["account_id"], unique=False
    )
    op.create_table(
        "portal_sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_sign_in_failures")),
    )
    op.create_index(
        "ix_portal_sign_in_failures_username", "portal_sign_in_failures", ["username", "at"]
    )
    op.create_index(
        "ix_portal_sign_in_failures_address", "portal_sign_in_failures", ["address", "at"]
    )
    op.create_table(
        "request_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.CheckConstraint(
            "author IN ('contact', 'desk')", name=op.f("ck_request_messages_author")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_request_messages_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_messages_request_id_requests")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_request_messages_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_messages")),
    )
    op.create_index(
        "ix_request_messages_request", "request_messages", ["request_id", "id"], unique=False
    )
    _service_may_file(True)
    if op.get_bind().dialect.name == "postgresql":
        audited.install(op.get_bind(), "portal_accounts")
        audited.install(op.get_bind(), "request_messages")


def _service_may_file(yes: bool) -> None:
    """A notice accepted by the portal has no staff member (a request filed by a service
    has none either: `requests.logged_by_id` became nullable with mail intake, 0006)."""
    with op.batch_alter_table("billing_notices") as batch:
        batch.alter_column("given_by_id", existing_type=sa.Integer(), nullable=yes)
        batch.drop_constraint(op.f("ck_billing_notices_method"), type_="check")
        batch.create_check_constraint(
            op.f("ck_billing_notices_method"), sa.text(METHODS_AFTER if yes else METHODS_BEFORE)
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        audited.uninstall(op.get_bind(), "request_messages")
        audited.uninstall(op.get_bind(), "portal_accounts")
    _service_may_file(False)
    op.drop_index("ix_request_messages_request", table_name="request_messages")
    op.drop_table("request_messages")
    op.drop_index("ix_portal_sign_in_failures_address", table_name="portal_sign_in_failures")
    op.drop_index("ix_portal_sign_in_failures_username", table_name="portal_sign_in_failures")
    op.drop_table("portal_sign_in_failures")
    op.drop_index(op.f("ix_portal_sessions_account_id"), table_name="portal_sessions")
    op.drop_table("portal_sessions")
    op.drop_table("portal_passwords")
    op.drop_table("portal_accounts")

"""Mail intake (issue 15): received messages, attachments, quarantine, customers' mail
domains; requests may wait in triage without a customer and be logged by a service.

On SQLite, changing `requests` copies the table (batch mode), so foreign keys are
switched off around the migrations by `migrations/env.py` and checked afterwards.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 13:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from console.store import audited

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TABLES = ("mail_domains", "mail_messages", "mail_attachments", "mail_quarantine")


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.alter_column("customer_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("logged_by_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("follows_request_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_requests_follows_request_id_requests"),
            "requests",
            ["follows_request_id"],
            ["id"],
        )
        batch.drop_constraint(op.f("ck_requests_status"), type_="check")
        batch.create_check_constraint(
            op.f("ck_requests_status"), "status IN ('open', 'resolved', 'triage')"
        )
        batch.create_check_constraint(
            op.f("ck_requests_customer_unless_triage"),
            "(customer_id IS NULL) = (status = 'triage')",
        )
    op.create_table(
        "mail_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_mail_domains_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_domains")),
        sa.UniqueConstraint("domain", name=op.f("uq_mail_domains_domain")),
    )
    op.create_index(op.f("ix_mail_domains_customer_id"), "mail_domains", ["customer_id"])
    op.create_table(
        "mail_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=1000), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("in_reply_to", sa.String(length=1000), nullable=True),
        sa.Column("thread_index", sa.String(length=64), nullable=True),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('new', 'reply', 'ignored')", name=op.f("ck_mail_messages_outcome")
        ),
        sa.CheckConstraint(
            "channel IN ('email', 'voicemail')", name=op.f("ck_mail_messages_channel")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_mail_messages_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint("message_key", name=op.f("uq_mail_messages_message_key")),
    )
    op.create_index(
        "ix_mail_messages_request", "mail_messages", ["request_id", "received_at"], unique=False
    )
    op.create_index(
        "ix_mail_messages_thread_index", "mail_messages", ["thread_index"], unique=False
    )
    op.create_table(
        "mail_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["mail_messages.id"],
            name=op.f("fk_mail_attachments_message_id_mail_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attachments")),
    )
    op.create_index(op.f("ix_mail_attachments_message_id"), "mail_attachments", ["message_id"])
    op.create_table(
        "mail_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('held', 'released')", name=op.f("ck_mail_quarantine_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_quarantine")),
        sa.UniqueConstraint("sha256", name=op.f("uq_mail_quarantine_sha256")),
    )
    op.create_index("ix_mail_quarantine_status", "mail_quarantine", ["status"], unique=False)
    op.create_table(
        "imap_folders",
        sa.Column("folder", sa.String(length=500), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("folder", name=op.f("pk_imap_folders")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in NEW_TABLES:
            audited.install(op.get_bind(), table)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in NEW_TABLES:
            audited.uninstall(bind, table)
    op.drop_table("imap_folders")
    op.drop_index("ix_mail_quarantine_status", table_name="mail_quarantine")
    op.drop_table("mail_quarantine")
    op.drop_index(op.f("ix_mail_attachments_message_id"), table_name="mail_attachments")
    op.drop_table("mail_attachments")
    op.drop_index("ix_mail_messages_thread_index", table_name="mail_messages")
    op.drop_index("ix_mail_messages_request", table_name="mail_messages")
    op.drop_table("mail_messages")
    op.drop_index(op.f("ix_mail_domains_customer_id"), table_name="mail_domains")
    op.drop_table("mail_domains")
    # Requests in triage have no customer and cannot be kept by the older schema.
    bind.execute(sa.text("DELETE FROM requests WHERE status = 'triage'"))
    bind.execute(sa.text("UPDATE requests SET follows_request_id = NULL"))
    with op.batch_alter_table("requests") as batch:
        batch.drop_constraint(op.f("ck_requests_customer_unless_triage"), type_="check")
        batch.drop_constraint(op.f("ck_requests_status"), type_="check")
        batch.create_check_constraint(op.f("ck_requests_status"), "status IN ('open', 'resolved')")
        batch.drop_constraint(op.f("fk_requests_follows_request_id_requests"), type_="foreignkey")
        batch.drop_column("follows_request_id")
        batch.alter_column("logged_by_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("customer_id", existing_type=sa.Integer(), nullable=False)

"""Paging and the outbox: staff contacts, pages, messages to send (issue 16).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from console.store import audited

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _doc() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "staff_contacts",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("notify", _doc(), nullable=False),
        _at("updated_at"),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_contacts_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_contacts")),
    )
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("targets", _doc(), nullable=False),
        _at("opened_at"),
        _at("last_paged_at"),
        _at("next_step_at", True),
        _at("acked_at", True),
        sa.Column("acked_by", sa.String(length=32), nullable=True),
        sa.CheckConstraint("kind IN ('emergency', 'handoff')", name=op.f("ck_pages_kind")),
        sa.CheckConstraint("state IN ('open', 'acked', 'closed')", name=op.f("ck_pages_state")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_pages_request_id_requests")
        ),
        sa.ForeignKeyConstraint(["shift_id"], ["shifts.id"], name=op.f("fk_pages_shift_id_shifts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sa.UniqueConstraint("shift_id", name=op.f("uq_pages_shift_id")),
    )
    op.create_index("ix_pages_open_by_due", "pages", ["state", "next_step_at"], unique=False)
    op.create_index("ix_pages_request", "pages", ["request_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headers", _doc(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("page_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_attempt_at"),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        _at("lease_expires_at", True),
        _at("created_at"),
        _at("sent_at", True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'apprise')", name=op.f("ck_outbox_channel")),
        sa.CheckConstraint(
            "state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')",
            name=op.f("ck_outbox_state"),
        ),
        sa.ForeignKeyConstraint(["page_id"], ["pages.id"], name=op.f("fk_outbox_page_id_pages")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_outbox_request_id_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_due", "outbox", ["state", "next_attempt_at"], unique=False)
    op.create_index("ix_outbox_page", "outbox", ["page_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # `outbox` is machinery (leases and attempts change on every send): not audited;
        # what it carries is audited as the page events that queued it.
        audited.install(op.get_bind(), "staff_contacts")
        audited.install(op.get_bind(), "pages")


def downgrade() -> None:
    op.drop_index("ix_outbox_page", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_pages_request", table_name="pages")
    op.drop_index("ix_pages_open_by_due", table_name="pages")
    op.drop_table("pages")
    op.drop_table("staff_contacts")

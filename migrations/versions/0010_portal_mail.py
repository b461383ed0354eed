"""Portal mail (issues 16 and 17): single-use links for password reset, invitations and
acknowledging a page (only the SHA-256 of each link's token is stored).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("page_id", sa.Integer(), nullable=True),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('reset', 'invite', 'page-ack')", name=op.f("ck_portal_tokens_purpose")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_accounts.id"],
            name=op.f("fk_portal_tokens_account_id_portal_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["page_id"], ["pages.id"], name=op.f("fk_portal_tokens_page_id_pages")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_portal_tokens")),
    )
    op.create_index(
        "ix_portal_tokens_account", "portal_tokens", ["account_id", "purpose", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_portal_tokens_account", table_name="portal_tokens")
    op.drop_table("portal_tokens")

"""Mail out (issue 15, part 7): a billing notice mailed to the customer keeps its
Message-ID; the outbox is searched by purpose and address (one acknowledgement per
address and hour).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 14:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("billing_notices") as batch:
        batch.add_column(sa.Column("message_id", sa.String(length=200), nullable=True))
    op.create_index("ix_outbox_purpose_recipient", "outbox", ["purpose", "recipient", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_purpose_recipient", table_name="outbox")
    with op.batch_alter_table("billing_notices") as batch:
        batch.drop_column("message_id")

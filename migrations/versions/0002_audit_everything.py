"""The database audits every change under the real login (issue #12).

Adds `db_logins` (which staff member or service a Postgres login acts as) and
`events.on_behalf_of` on both databases; on Postgres, the triggers of
`console/store/audited.py`: the actor guard and the NOTIFY on `events`, and the deferred
audit trigger on every table of `AUDITED`. SQLite (one laptop, no logins) gets no triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 02:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from console.store import audited

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "db_logins",
        sa.Column("login", sa.String(length=63), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("service", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "(staff_id IS NULL) <> (service IS NULL)", name=op.f("ck_db_logins_staff_or_service")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_db_logins_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_db_logins")),
    )
    # Plain ALTER TABLE on both: a batch copy of `events` on SQLite would drop its triggers.
    op.add_column("events", sa.Column("on_behalf_of", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    audited.install_events(bind)
    present = set(sa.inspect(bind).get_table_names())
    for table in audited.AUDITED:
        if table in present:
            audited.install(bind, table)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        present = set(sa.inspect(bind).get_table_names())
        for table in audited.AUDITED:
            if table in present:
                audited.uninstall(bind, table)
        audited.uninstall_events(bind)
    op.drop_column("events", "on_behalf_of")
    op.drop_table("db_logins")

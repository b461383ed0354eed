"""The technical order is an order: open technical escalations hold positions 1..n.

Existing data is fixed first: open technical escalations are renumbered 1..n by their
current priority (unset last), then when they were opened. Then the database enforces it:
on Postgres a deferred exclusion constraint (no repeated position) and a deferred
constraint trigger (no hole, none missing) check at commit, so a transaction may renumber
in any order; the trigger takes the advisory lock the write path takes
(`console.store.technical_order.ORDER_LOCK`), so two writers cannot each commit an order
that is valid alone and broken together. On SQLite a partial unique index refuses a
repeat, and triggers refuse an open technical escalation without a position (1 or more).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Kept equal to console.store.technical_order.ORDER_LOCK (a test checks it).
ORDER_LOCK = 1_210_005
IN_ORDER = "status = 'open' AND destination = 'technical'"
EXCLUDE = "ex_escalations_technical_position"
CHECK = "escalations_technical_order"
GAPS = "escalations_close_technical_gaps"


def upgrade() -> None:
    _renumber()
    if op.get_bind().dialect.name == "postgresql":
        _postgres_up()
    else:
        _sqlite_up()


def _renumber() -> None:
    bind = op.get_bind()
    ids = bind.execute(
        sa.text(
            f"SELECT id FROM escalations WHERE {IN_ORDER} "
            "ORDER BY technical_priority IS NULL, technical_priority, opened_at, id"
        )
    ).scalars()
    for position, escalation_id in enumerate(list(ids), 1):
        bind.execute(
            sa.text("UPDATE escalations SET technical_priority = :p WHERE id = :id"),
            {"p": position, "id": escalation_id},
        )


def _postgres_up() -> None:
    op.execute(
        f"ALTER TABLE escalations ADD CONSTRAINT {EXCLUDE} "
        f"EXCLUDE USING btree (technical_priority WITH =) WHERE ({IN_ORDER}) "
        "DEFERRABLE INITIALLY DEFERRED"
    )
    # Checked at commit, once the whole renumbering is in; 23514 reads as an integrity error.
    op.execute(
        f"""
        CREATE FUNCTION {CHECK}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            total bigint;
            numbered bigint;
            lowest integer;
            highest integer;
        BEGIN
            PERFORM pg_advisory_xact_lock({ORDER_LOCK});
            SELECT count(*), count(technical_priority), min(technical_priority),
                   max(technical_priority)
              INTO total, numbered, lowest, highest
              FROM escalations WHERE {IN_ORDER};
            IF total > 0 AND (numbered <> total OR lowest <> 1 OR highest <> total) THEN
                RAISE EXCEPTION 'technical order must be 1 to % without holes '
                    '(found % of % numbered, from % to %)',
                    total, numbered, total, lowest, highest
                    USING ERRCODE = '23514';
            END IF;
            RETURN NULL;
        END $$
        """
    )
    # Closing a gap is part of an agent's resolve, but agents' logins may not write
    # technical_priority (`db grant`): this owner's function may only close gaps, never
    # reorder, so anyone may run it. It returns the ids it renumbered.
    op.execute(
        f"""
        CREATE FUNCTION {GAPS}() RETURNS SETOF integer
        LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
            WITH ranked AS (
                SELECT id, row_number() OVER (
                    ORDER BY technical_priority, opened_at, id
                ) AS rank
                FROM escalations WHERE {IN_ORDER}
            )
            UPDATE escalations AS e
               SET technical_priority = ranked.rank, version = e.version + 1
              FROM ranked
             WHERE e.id = ranked.id AND e.technical_priority IS DISTINCT FROM ranked.rank
            RETURNING e.id
        $$
        """
    )
    was = "(OLD.status = 'open' AND OLD.destination = 'technical')"
    now = "(NEW.status = 'open' AND NEW.destination = 'technical')"
    for name, event, when in [
        (f"{CHECK}_insert", "INSERT", now),
        (f"{CHECK}_update", "UPDATE OF technical_priority, status, destination", f"{was} OR {now}"),
        (f"{CHECK}_delete", "DELETE", was),
    ]:
        op.execute(
            f"CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON escalations "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({when}) "
            f"EXECUTE FUNCTION {CHECK}()"
        )


def _sqlite_up() -> None:
    # Triggers rather than a partial unique index: the models (and Alembic's drift check)
    # cannot hold an index on one dialect only, and Postgres holds the rule as a constraint.
    # Checked row by row like an index, so the write path parks positions it moves.
    for action in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER {CHECK}_{action.lower()} BEFORE {action} ON escalations "
            "WHEN NEW.status = 'open' AND NEW.destination = 'technical' "
            "BEGIN "
            "SELECT RAISE(ABORT, 'an open technical escalation needs a position of 1 or more') "
            "WHERE NEW.technical_priority IS NULL OR NEW.technical_priority < 1; "
            "SELECT RAISE(ABORT, 'technical position taken by another open escalation') "
            "WHERE EXISTS (SELECT 1 FROM escalations AS other "
            "WHERE other.status = 'open' AND other.destination = 'technical' "
            "AND other.technical_priority = NEW.technical_priority AND other.id IS NOT NEW.id); "
            "END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for suffix in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {CHECK}_{suffix} ON escalations")
        op.execute(f"DROP FUNCTION IF EXISTS {CHECK}()")
        op.execute(f"DROP FUNCTION IF EXISTS {GAPS}()")
        op.execute(f"ALTER TABLE escalations DROP CONSTRAINT IF EXISTS {EXCLUDE}")
    else:
        for suffix in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {CHECK}_{suffix}")

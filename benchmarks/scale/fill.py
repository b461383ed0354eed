"""console_scale's data: a desk of N open requests on SQLite (executemany) or Postgres (COPY)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert

from benchmarks.desks import TemporaryPostgres
from benchmarks.scale.config import (
    HANDLES,
)
from console.store.db import Database, open_database
from console.store.demo_plan import EMERGENCIES, FIRST, LAST, MUNICIPALITIES, STAFF, TOPICS
from console.store.models import Base
from console.store.schema import upgrade

# -- the data ---------------------------------------------------------------------------


def fill(database: Database, size: int, now: datetime, seed: int = 5) -> dict[str, int]:
    """Staff, customers, contacts, shifts, presence, `size` open requests, escalations."""
    rng = random.Random(seed)
    staff = [s for s in STAFF if s[0] in HANDLES]
    staff_id = {handle: index + 1 for index, (handle, *_rest) in enumerate(staff)}
    towns = [t for line in MUNICIPALITIES.splitlines() for t in line.split("|")]
    long_ago = now - timedelta(days=400)
    agents = [staff_id[h] for h in ("jcarter", "emiller", "tnguyen", "gpatel", "kokafor")]
    with database.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Only this setup transaction: losing it in a crash costs nothing.
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        load(
            conn,
            "staff",
            [
                {
                    "id": staff_id[handle],
                    "handle": handle,
                    "name": name,
                    "role": role,
                    "department": department,
                    "active": True,
                    "added_at": long_ago,
                }
                for handle, name, role, department in staff
            ],
        )
        load(
            conn,
            "customers",
            [
                {
                    "id": index + 1,
                    "municipality": town,
                    "liaison_id": rng.choice(agents),
                    "next_check_in": (now + timedelta(days=rng.randint(-3, 20))).date()
                    if index % 3
                    else None,
                    "added_at": long_ago,
                }
                for index, town in enumerate(towns)
            ],
        )
        contacts = [
            {
                "id": 2 * index + k + 1,
                "customer_id": index + 1,
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "phone": f"555-01{index:02d}",
                "email": f"contact{2 * index + k}@example.gov",
                "designated_for_emergencies": k == 0,
                "added_at": long_ago,
            }
            for index in range(len(towns))
            for k in range(2)
        ]
        load(conn, "contacts", contacts)
        shifts = [
            {
                "staff_id": staff_id[h],
                "kind": "duty",
                "starts_at": now - timedelta(hours=4),
                "ends_at": now + timedelta(hours=5),
            }
            for h in ("dkim", "jcarter", "emiller", "tnguyen")
        ]
        shifts += [
            {
                "staff_id": staff_id[h],
                "kind": "on-call",
                "starts_at": now + timedelta(hours=start),
                "ends_at": now + timedelta(hours=start + 12),
            }
            for h, start in (("rhernandez", -6), ("bchen", 6), ("rhernandez", 30))
        ]
        load(conn, "shifts", shifts)
        load(
            conn,
            "agent_presence",
            [
                {"staff_id": staff_id[h], "state": state, "since": now - timedelta(minutes=20)}
                for h, state in (
                    ("jcarter", "available"),
                    ("emiller", "on-a-call"),
                    ("tnguyen", "away"),
                    ("dkim", "available"),
                )
            ],
        )
        logger = staff_id["dkim"]
        requests = [
            _request(rng, index, size, now, len(towns), agents, logger) for index in range(size)
        ]
        load(conn, "requests", requests)
        kinds = (("additional-services", "customer-care"), ("product", "technical"))
        kinds += (("other", "person"),)
        escalated = rng.sample(range(1, size + 1), min(12, size))
        load(
            conn,
            "escalations",
            [
                {
                    "request_id": request_id,
                    "kind": kinds[index % 3][0],
                    "destination": kinds[index % 3][1],
                    "assignee_id": staff_id["gpatel"] if index % 3 == 2 else None,
                    "reason": "Needs the product team" if index % 3 == 1 else "Customer asked",
                    "technical_priority": index // 3 + 1 if index % 3 == 1 else None,
                    "status": "open",
                    "opened_at": now - timedelta(minutes=rng.uniform(10, 1800)),
                    "closed_at": None,
                    "version": 1,
                }
                for index, request_id in enumerate(escalated)
            ],
        )
        if conn.dialect.name == "postgresql":
            # COPY with explicit ids leaves the id sequences behind: move them past the rows.
            # (setval is strict: a table without a sequence or without rows is left alone)
            for table in FILLED_TABLES:
                if "id" in Base.metadata.tables[table].columns:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
    return {"staff": len(staff), "customers": len(towns), "requests": size, "escalations": 12}


FILLED_TABLES = (
    "staff",
    "customers",
    "contacts",
    "shifts",
    "agent_presence",
    "requests",
    "escalations",
)


def load(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert `rows` (dicts with the same keys) into `table`, in `conn`'s transaction.

    SQLite: one Core ``executemany``. Postgres: one ``COPY ... FROM STDIN`` on the
    underlying psycopg connection (the column defaults of the model, which COPY does not
    know, are filled in first; the values are already aware UTC instants).
    """
    if not rows:
        return
    columns = Base.metadata.tables[table].columns
    if conn.dialect.name != "postgresql":
        conn.execute(insert(Base.metadata.tables[table]), rows)
        return
    names = list(rows[0])
    defaults = {
        c.name: c.default.arg
        for c in columns
        if c.name not in names and c.default is not None and c.default.is_scalar
    }
    names += list(defaults)
    raw = conn.connection.driver_connection
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[n] if n in row else defaults[n] for n in names])


def _request(
    rng: random.Random,
    index: int,
    size: int,
    now: datetime,
    towns: int,
    agents: list[int],
    logger: int,
) -> dict[str, Any]:
    customer = rng.randint(1, towns)
    emergency = index < 3 + size // 10_000
    channel = rng.choices(("call", "voicemail", "email", "portal"), (10, 25, 40, 25))[0]
    summary = rng.choice(TOPICS[rng.choice(("product", "product", "additional-services", "other"))])
    first_response = None
    if emergency:
        channel = "voicemail"
        summary = rng.choice(EMERGENCIES)
        received = now - timedelta(minutes=rng.uniform(5, 90))
        due: datetime | None = received + timedelta(minutes=60)
    elif channel == "call":
        received = now - timedelta(hours=rng.uniform(0.2, 72))
        due, first_response = None, received
    else:
        draw = rng.random()
        if draw < 0.10:  # breached
            due = now - timedelta(minutes=rng.uniform(1, 2880))
        elif draw < 0.25:  # due within the hour
            due = now + timedelta(minutes=rng.uniform(1, 60))
        else:
            due = now + timedelta(minutes=rng.uniform(60, 4320))
        received = min(due - timedelta(hours=rng.uniform(4, 52)), now - timedelta(minutes=2))
        if rng.random() < 0.15:
            first_response = received + (now - received) * rng.random()
    return {
        "customer_id": customer,
        "contact_id": 2 * (customer - 1) + rng.randint(1, 2) if rng.random() < 0.5 else None,
        "channel": channel,
        "summary": summary,
        "received_at": received,
        "emergency": emergency,
        "emergency_unverified": emergency and index == 0,
        "status": "open",
        "assignee_id": rng.choice(agents) if rng.random() < 0.5 else None,
        "due_at": due,
        "first_response_at": first_response,
        "resolved_at": None,
        "billing_state": "needs-notice" if rng.random() < 0.05 else "none",
        "logged_by_id": logger,
        "version": 1,
    }


def build_database(path: Path, size: int) -> float:
    """A migrated, filled SQLite file at `path`; returns the seconds it took."""
    started = time.perf_counter()
    database = open_database(f"sqlite:///{path}")
    try:
        upgrade(database.engine)
        fill(database, size, datetime.now(UTC))
    finally:
        database.dispose()  # the last connection checkpoints the WAL into the file
    return time.perf_counter() - started


def build_postgres(pg: TemporaryPostgres, size: int) -> tuple[str, float]:
    """A fresh database on the server, migrated and filled like `build_database`, then
    vacuumed and analysed (as a live desk database would be); returns (name, seconds)."""
    started = time.perf_counter()
    name = pg.create()
    database = open_database(pg.url(name))
    try:
        upgrade(database.engine)
        fill(database, size, datetime.now(UTC))
    finally:
        database.dispose()  # no connection may stay open on a template
    with pg.connect(name) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return name, time.perf_counter() - started

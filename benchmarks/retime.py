"""Re-timing open requests after a policy change: one closure over 10,000 open requests.

A lead closes the desk for today while 10,000 open e-mails received this morning wait;
every one of them moves to tomorrow, so the change writes one policy version, 10,000
new due times and 10,001 events in one transaction (`commands.change_policy`). The
requests are seeded with plain INSERTs (the seeding is not measured); the clock runs from
the call to the commit. Postgres runs in a fresh database on 127.0.0.1 that is dropped
afterwards; SQLite in a temporary file. Prints one JSON line last, e.g.
{"requests": 10000, "postgres_s": 1.2, "postgres_client_cpu_s": 0.9, ...,
"load_average": 0.8}: wall time on a busy machine says little, so the load is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks, the package

from benchmarks.desks import NOW, small_desk, temporary_postgres, temporary_sqlite
from console.domain.policy import Policy, add_closure
from console.store.commands.policy import change_policy
from console.store.db import open_database
from console.store.models import Request


def measure(url: str, count: int) -> tuple[float, float, int]:
    """Seconds (wall, and this process's CPU) to re-time `count` requests, and how many moved."""
    database = open_database(url)
    sla = Policy.defaults().sla
    small_desk(database, agents=(), now=NOW)  # the lead is the liaison
    rows = []
    for n in range(count):  # received this morning, 07:00 to 10:00 Chicago
        received = NOW - timedelta(hours=3) + timedelta(seconds=n * 10800 // count)
        rows.append(
            {
                "customer_id": 1, "contact_id": None, "channel": "email", "summary": f"r{n}",
                "received_at": received, "emergency": False, "emergency_unverified": False,
                "status": "open", "assignee_id": None, "due_at": sla.due_at("email", received),
                "first_response_at": None, "resolved_at": None, "billing_state": "none",
                "logged_by_id": 1, "version": 1,
            }
        )  # fmt: skip
    with database.engine.begin() as connection:
        connection.execute(insert(Request), rows)
    edit = partial(add_closure, day=date(2026, 12, 2), name="Ice storm")
    with database.session() as session:
        began, cpu = time.perf_counter(), time.process_time()
        done = change_policy(session, "lead", NOW, edit=edit, reason="storm", what="closure")
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    database.dispose()
    return seconds, cpu, done.retimed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    args = parser.parse_args()
    result: dict[str, object] = {"requests": args.requests}
    with temporary_postgres("switchboard_bench_retime") as url:
        seconds, cpu, moved = measure(url, args.requests)
    result |= {"postgres_s": round(seconds, 3), "postgres_client_cpu_s": round(cpu, 3)}
    result |= {"postgres_retimed": moved}
    with temporary_sqlite() as url:
        seconds, cpu, moved = measure(url, args.requests)
    result |= {"sqlite_s": round(seconds, 3), "sqlite_cpu_s": round(cpu, 3)}
    result |= {"sqlite_retimed": moved}
    result["load_average"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""The customer portal under 200 concurrent signed-in users, on Postgres.

A throw-away Postgres database on 127.0.0.1 gets a desk: 20 municipalities with 10
contacts each (2 designated), a portal account for every contact and 5 requests filed by
each. `--processes` portal servers (`switchboard portal`, uvicorn, the real clock) serve
it on loopback ports; the users are spread over them and, to show that no process keeps
state another needs, every user moves to the next server after signing in. Each user
signs in (argon2id at its production cost, 8 sign-ins at a time, timed apart), then for
`--duration` seconds browses and files: its request list (40 %), one of its requests
(30 %), the desk status (10 %), and the new-request form then a POST filing a request
(20 %), pausing `--think` seconds on average between actions (uniform 0.5x-1.5x;
`--think 0` is a closed loop at full speed). The load generator (httpx, asyncio) shares
the machine's 2 cores with the servers and Postgres.

Prints progress, then one JSON line last: users, processes, duration, think, requests,
req_per_s, p50_ms/p95_ms/p99_ms/max_ms over every browsing and filing request, filed,
errors (any unexpected status or failure), sign_in_p50_ms/p95_ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import text

from console.clock import SystemClock
from console.store import commands as c
from console.store import schema
from console.store.commands import portal as pc
from console.store.db import open_database
from console.web.security import Passwords

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PASSWORD = "benchmark password 2026"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TITLE = re.compile(r"<title>([^<]*)</title>")


def seed(url: str, users: int, now: datetime) -> list[str]:
    database = open_database(url)
    schema.upgrade(database.engine)
    hashed = Passwords().hash(PASSWORD)  # one real argon2id hash, shared: same password
    emails = []
    rules = c.Rules.defaults()
    with database.session() as session:
        c.add_staff(session, None, now, handle="lead", name="L", role="lead", department="desk")
        c.add_staff(session, "lead", now, handle="ari", name="A", role="agent", department="desk")
        for town in range((users + 9) // 10):
            name = f"Town {town}"
            c.add_customer(session, "lead", now, municipality=name, liaison="ari")
            for n in range(10):
                if len(emails) == users:
                    break
                email = f"user{len(emails)}@town{town}.gov"
                c.add_contact(session, "lead", now, customer=name, name=f"Contact {town}.{n}",
                              email=email, designated=n < 2)  # fmt: skip
                pc.add_account(session, "lead", now, email=email, password_hash=hashed)
                emails.append(email)
        from console.store.portal_auth import signed_in  # noqa: F401  (warm import)

        accounts = pc.list_accounts(session)
        for account in accounts:
            who = pc.Principal(account.id, account.contact_id, 0, account.contact,
                               account.customer, account.designated, account.email)  # fmt: skip
            customer_id = session.execute(
                text("SELECT customer_id FROM contacts WHERE id = :i"), {"i": account.contact_id}
            ).scalar_one()
            who = pc.Principal(who.account_id, who.contact_id, customer_id, who.contact,
                               who.customer, who.designated, who.email)  # fmt: skip
            for k in range(5):
                pc.file_request(session, now, rules, who=who, summary=f"Seeded request {k}",
                                details="Seeded.", emergency=False, after_hours="wait")  # fmt: skip
    database.dispose()
    return emails


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_servers(url: str, processes: int) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    servers, bases = [], []
    for _ in range(processes):
        port = free_port()
        command = [sys.executable, "-c", "from console.cli import entry; entry()", "portal",
                   "--port", str(port), "--database", url]  # fmt: skip
        servers.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        bases.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    for base in bases:
        while True:
            try:
                if httpx.get(f"{base}/status", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"portal at {base} did not start")
            time.sleep(0.2)
    return servers, bases


#: What went wrong, for the JSON line (`error_examples`, the first five).
ERRORS: list[str] = []


class User:
    def __init__(self, email: str, base: str, others: list[str], limits: httpx.Limits) -> None:
        self.email, self.base, self.others = email, base, others
        self.client = httpx.AsyncClient(base_url=base, timeout=60, limits=limits)
        self.token = ""
        self.own: list[int] = []

    async def sign_in(self) -> float:
        page = await self.client.get("/login")
        token = CSRF.search(page.text)
        assert token, "no CSRF token on /login"
        started = time.perf_counter()
        fields = {"username": self.email, "password": PASSWORD, "csrf_token": token.group(1)}
        answer = await self.client.post("/login", data=fields)
        elapsed = time.perf_counter() - started
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in {self.email}: {answer.status_code}")
        # The next server takes over this user: the session lives in the database.
        self.client.base_url = httpx.URL(self.others[0])
        listing = await self.client.get("/requests")
        found = CSRF.search(listing.text)
        if listing.status_code != 200 or not found:
            raise RuntimeError(f"session of {self.email} not honoured by another process")
        self.token = found.group(1)
        self.own = [int(n) for n in re.findall(r'href="/requests/(\d+)"', listing.text)]
        return elapsed


async def browse(user: User, until: float, think: float, timings: list[float],
                 counts: dict[str, int], rng: random.Random) -> None:  # fmt: skip
    async def timed(method: str, path: str, expect: int, **kw: Any) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            answer = await user.client.request(method, path, **kw)
        except httpx.HTTPError as exc:
            counts["errors"] += 1
            ms = (time.perf_counter() - started) * 1000
            ERRORS.append(f"{method} {user.client.base_url}{path} after {ms:.0f} ms: "
                          f"{type(exc).__name__}: {exc}{explain(exc)}"[:300])  # fmt: skip
            return None
        timings.append(time.perf_counter() - started)
        if answer.status_code != expect:
            counts["errors"] += 1
            title = TITLE.search(answer.text)
            said = f" ({title.group(1).strip()})" if title else ""
            ERRORS.append(f"{method} {user.client.base_url}{path}: {answer.status_code}{said},"
                          f" expected {expect}"[:300])  # fmt: skip
        return answer

    while time.monotonic() < until:
        roll = rng.random()
        if roll < 0.4:
            await timed("GET", "/requests", 200)
        elif roll < 0.7 and user.own:
            await timed("GET", f"/requests/{rng.choice(user.own)}", 200)
        elif roll < 0.8:
            await timed("GET", "/status", 200)
        else:
            await timed("GET", "/requests/new", 200)
            answer = await timed("POST", "/requests/new", 303, data={
                "summary": f"Benchmark request {rng.randrange(10**6)}",
                "details": "Filed by benchmarks/portal.py.\nSecond line.",
                "after_hours": "wait", "csrf_token": user.token})  # fmt: skip
            if answer is not None and answer.status_code == 303:
                counts["filed"] += 1
                user.own.append(int(answer.headers["location"].rsplit("/", 1)[1]))
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))


def explain(exc: httpx.HTTPError) -> str:
    """What an exception means here, when its own words do not say."""
    if isinstance(exc, httpx.RemoteProtocolError) and "disconnected" in str(exc):
        return (" (the server closed the connection without an answer: a kept-alive"
                " connection it timed out as the request was sent, or a dead server)")  # fmt: skip
    if isinstance(exc, httpx.TimeoutException):
        return " (no answer within the client's 60 s timeout)"
    if isinstance(exc, httpx.ConnectError):
        return " (nothing listening: the server process is gone?)"
    return ""


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc), 0 elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(bases: list[str], emails: list[str], duration: float, think: float,
              pids: tuple[int, ...] = ()) -> dict:  # fmt: skip
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    users = [
        User(e, bases[i % len(bases)], [bases[(i + 1) % len(bases)]], limits)
        for i, e in enumerate(emails)
    ]
    gate = asyncio.Semaphore(8)

    async def signed(user: User) -> float:
        async with gate:
            return await user.sign_in()

    sign_ins = await asyncio.gather(*(signed(u) for u in users))
    print(f"{len(users)} users signed in", flush=True)
    timings: list[float] = []
    counts = {"errors": 0, "filed": 0}
    started = time.monotonic()
    server_cpu, own_cpu = sum(cpu_seconds(p) for p in pids), time.process_time()
    until = started + duration
    await asyncio.gather(*(browse(u, until, think, timings, counts, random.Random(i))
                           for i, u in enumerate(users)))  # fmt: skip
    elapsed = time.monotonic() - started
    server_cpu = sum(cpu_seconds(p) for p in pids) - server_cpu
    own_cpu = time.process_time() - own_cpu
    for user in users:
        await user.client.aclose()
    ms = [t * 1000 for t in timings]
    return {
        "requests": len(ms),
        "req_per_s": round(len(ms) / elapsed, 1),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1),
        "filed": counts["filed"],
        "errors": counts["errors"],
        "error_examples": ERRORS[:5],
        "sign_in_p50_ms": round(statistics.median(sign_ins) * 1000, 1),
        "sign_in_p95_ms": round(percentile(sign_ins, 95) * 1000, 1),
        # CPU time per browsing request: less sensitive to a busy machine than latency.
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(1, len(ms)), 2),
        "client_cpu_ms_per_request": round(own_cpu * 1000 / max(1, len(ms)), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between actions")
    args = parser.parse_args(argv)
    admin = open_database(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    name = f"switchboard_bench_{uuid.uuid4().hex[:10]}"
    with admin.engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{PG_SERVER}/{name}"
    servers: list[subprocess.Popen[bytes]] = []
    try:
        emails = seed(url, args.users, SystemClock().now())
        print(f"seeded {len(emails)} accounts, {5 * len(emails)} requests", flush=True)
        servers, bases = start_servers(url, args.processes)
        pids = tuple(server.pid for server in servers)
        figures = asyncio.run(run(bases, emails, args.duration, args.think, pids))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(30)
        with admin.engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    result = {"benchmark": "portal", "users": args.users, "processes": args.processes,
              "duration_s": args.duration, "think_s": args.think, **figures,
              "cores": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)}  # fmt: skip
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

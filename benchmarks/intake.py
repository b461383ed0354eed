"""Mail intake throughput on Postgres: 10,000 messages through the pipe, 0 lost, 0 doubled.

A fresh database on 127.0.0.1 (dropped afterwards) holds a desk of 50 towns, each with a
mail domain and 5 contacts. The messages: about 55 % new mail from contacts, 20 % their
replies (`In-Reply-To` an earlier one of theirs), 10 % from unknown senders (triage),
5 % automatic replies, 5 % voicemails from contacts' phones, and 5 % delivered a second
time. `--workers` processes (default 4, as an MTA running several pipes) each take the
messages of their own senders in order, through `console.mail.intake.take_in`: the code
`switchboard intake pipe` runs, without the interpreter's start. Each second delivery
goes to another worker, so it races its first. Then `--cli` messages (default 200) go
through the real `switchboard intake pipe` command, 4 at a time, to show what one
process per message costs. Then `--imap` messages (default 2,000; 0 to leave out) are
put in a throw-away Dovecot (`tests/mail/dovecot.py`; needs `dovecot-imapd`), a tenth of
them piped first as well, and two fetchers (`intake imap`'s `Fetcher`, in processes of
their own) read the mailbox at once: every message once, whichever route came first.

Checked afterwards: every distinct message has exactly one row (0 lost), no message was
filed twice (each key's deliveries: one `new`/`reply`/`ignored`, the rest `duplicate`),
and the requests equal the `new` outcomes. Prints one JSON line last, e.g.
{"messages": 10000, "messages_per_s": 140.2, "lost": 0, "duplicated": 0, ...}.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from console.clock import FrozenClock
from console.mail.imap import Fetcher, connect
from console.mail.intake import take_in
from console.settings import ImapSettings, IntakeSettings
from console.store import commands as c
from console.store import schema
from console.store.db import open_database
from console.store.models import Request
from console.store.models_mail import MailMessage

NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
TOWNS, CONTACTS = 50, 5


def seed(url: str) -> None:
    database = open_database(url)
    schema.upgrade(database.engine)
    with database.session() as session:
        c.add_staff(session, None, NOW, handle="lead", name="L", role="lead", department="desk")
    for town in range(TOWNS):
        with database.session() as session:
            c.add_customer(
                session, "lead", NOW, municipality=f"Town {town}", liaison="lead",
                domains=(f"town{town}.example",),
            )  # fmt: skip
        for n in range(CONTACTS):
            with database.session() as session:
                c.add_contact(
                    session, "lead", NOW, customer=f"Town {town}", name=f"Clerk {n}",
                    email=f"clerk{n}@town{town}.example", phone=f"555-01{town:02d}-{n:03d}",
                )  # fmt: skip
    database.dispose()


def mail(sender: str, subject: str, key: str, extra: str = "", minute: int = 0) -> bytes:
    at = (NOW - timedelta(hours=6) + timedelta(seconds=minute)).strftime(
        "%a, %d %b %Y %H:%M:%S +0000"
    )
    return (
        f"Received: from mx by mail.switchboard.example; {at}\r\nFrom: {sender}\r\n"
        f"To: help@switchboard.example\r\nSubject: {subject}\r\nMessage-ID: <{key}>\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello desk,\r\n{subject} does not work since this morning.\r\n"
    ).encode()


def voicemail(town: int, n: int, key: str, second: int) -> bytes:
    left = int((NOW - timedelta(hours=6)).timestamp()) + second
    return (
        f"From: PBX <asterisk@pbx.example>\r\nTo: help@switchboard.example\r\n"
        f"Subject: [PBX]: New message in mailbox 200\r\nMessage-ID: <{key}>\r\n"
        f"X-Asterisk-VM-Caller-ID-Num: 555-01{town:02d}-{n:03d}\r\n"
        f"X-Asterisk-VM-Orig-time: {left}\r\n"
        "X-Asterisk-VM-Duration: 42\r\nContent-Type: text/plain\r\n\r\nA new voicemail.\r\n"
    ).encode()


def plan(count: int, workers: int, seed_: int) -> tuple[list[list[tuple[str, bytes]]], int]:
    """Per worker, (key, bytes) in order; and the number of distinct messages."""
    rng = random.Random(seed_)
    lanes: list[list[tuple[str, bytes]]] = [[] for _ in range(workers)]
    sent: dict[str, list[str]] = {}
    distinct = 0
    tag = uuid.uuid4().hex[:6]
    while sum(map(len, lanes)) < count:
        town, n = rng.randrange(TOWNS), rng.randrange(CONTACTS)
        sender = f"clerk{n}@town{town}.example"
        roll, key = rng.random(), f"{tag}.{distinct}@bench"
        lane = (town * CONTACTS + n) % workers
        if roll < 0.55 or (roll < 0.75 and not sent.get(sender)):
            data = mail(sender, f"Issue {distinct}", key, minute=distinct)
        elif roll < 0.75:
            earlier = rng.choice(sent[sender])
            data = mail(sender, "Re: more", key, f"In-Reply-To: <{earlier}>\r\n", distinct)
        elif roll < 0.85:
            sender, lane = f"someone{distinct}@elsewhere.example", distinct % workers
            data = mail(sender, f"Question {distinct}", key, minute=distinct)
        elif roll < 0.90:
            data = mail(sender, "Automatic reply: away", key, "Auto-Submitted: auto-replied\r\n")
        else:
            data = voicemail(town, n, key, distinct)
        sent.setdefault(sender, []).append(key)
        lanes[lane].append((key, data))
        distinct += 1
        if rng.random() < 0.05 and len(lanes) > 1:  # delivered again, by another worker
            lanes[(lane + 1) % workers].append((key, data))
    return lanes, distinct


def work(url: str, lane: list[tuple[str, bytes]], queue: multiprocessing.Queue) -> None:
    database = open_database(url)
    settings, outcomes = IntakeSettings(), []
    for key, data in lane:
        result = take_in(database, data, now=NOW, service="intake", settings=settings)
        outcomes.append((key, result.outcome))
    database.dispose()
    queue.put(outcomes)


def through_cli(url: str, count: int) -> tuple[float, list[tuple[str, str]]]:
    program = str(Path(sys.executable).with_name("switchboard"))
    env = {**os.environ, "SWITCHBOARD_DATABASE_URL": url}
    tag = uuid.uuid4().hex[:6]
    messages = [
        (
            f"{tag}.cli{i}@bench",
            mail(f"clerk{i % CONTACTS}@town{i % TOWNS}.example", f"CLI {i}", f"{tag}.cli{i}@bench"),
        )
        for i in range(count)
    ]

    def one(item: tuple[str, bytes]) -> tuple[str, str]:
        done = subprocess.run(
            [program, "intake", "pipe", "--json"],
            input=item[1],
            capture_output=True,
            env=env,
            check=True,
        )
        return item[0], json.loads(done.stdout)["outcome"]

    began = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(one, messages))
    return time.perf_counter() - began, outcomes


def fetch_once(url: str, imap: ImapSettings, queue: multiprocessing.Queue) -> None:
    database = open_database(url)
    fetcher = Fetcher(database, IntakeSettings(imap=imap), "intake", FrozenClock(NOW))
    client = connect(imap)
    try:
        fetcher.run_once(client)
    finally:
        client.logout()
        database.dispose()
    queue.put(fetcher.filed)


def through_imap(url: str, count: int) -> dict[str, object]:
    """`count` messages in Dovecot, a tenth piped first; two fetchers at once."""
    import shutil
    import tempfile

    from tests.mail.dovecot import PASSWORD, USER, Dovecot

    if shutil.which("dovecot") is None:
        return {"imap": "skipped: dovecot is not installed (apt-get install -y dovecot-imapd)"}
    root = Path(tempfile.mkdtemp(prefix="switchboard-dovecot-"))
    os.chmod(root, 0o755)
    server = Dovecot(root)
    server.start()
    try:
        tag = uuid.uuid4().hex[:6]
        messages = [
            mail(
                f"clerk{i % CONTACTS}@town{i % TOWNS}.example", f"IMAP {i}", f"{tag}.imap{i}@bench"
            )
            for i in range(count)
        ]
        database = open_database(url)
        for data in messages[: count // 10]:
            take_in(database, data, now=NOW, service="intake", settings=IntakeSettings())
        with database.reading() as session:
            before = session.scalar(select(func.count()).select_from(MailMessage)) or 0
        server.append(*messages)
        os.environ["SWITCHBOARD_BENCH_IMAP_PASSWORD"] = PASSWORD
        imap = ImapSettings(
            host="127.0.0.1", port=server.port, tls="none", user=USER,
            password_env="SWITCHBOARD_BENCH_IMAP_PASSWORD",
        )  # fmt: skip
        queue: multiprocessing.Queue = multiprocessing.Queue()
        context = multiprocessing.get_context("fork")
        fetchers = [context.Process(target=fetch_once, args=(url, imap, queue)) for _ in range(2)]
        began = time.perf_counter()
        for process in fetchers:
            process.start()
        filed = [queue.get() for _ in fetchers]
        for process in fetchers:
            process.join()
        seconds = time.perf_counter() - began
        with database.reading() as session:
            after = session.scalar(select(func.count()).select_from(MailMessage)) or 0
        database.dispose()
        new_rows = after - before
        return {
            "imap_messages": count,
            "imap_messages_per_s": round(count / seconds, 1),
            "imap_fetched_by_each": filed,
            "imap_lost": count - count // 10 - new_rows,
            "imap_duplicated": max(0, new_rows - (count - count // 10)),
        }
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def verify(url: str, outcomes: list[tuple[str, str]], distinct: int) -> dict[str, int]:
    by_key: dict[str, list[str]] = {}
    for key, outcome in outcomes:
        by_key.setdefault(key, []).append(outcome)
    doubled = sum(1 for seen in by_key.values() if sum(o != "duplicate" for o in seen) != 1)
    database = open_database(url)
    with database.reading() as session:
        rows = session.scalar(select(func.count()).select_from(MailMessage)) or 0
        requests = session.scalar(select(func.count()).select_from(Request)) or 0
    database.dispose()
    new = sum(1 for _, o in outcomes if o == "new")
    return {
        "lost": distinct - rows,
        "duplicated": doubled + max(0, requests - new),
        "requests": requests,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--cli", type=int, default=200)
    parser.add_argument("--imap", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    name = f"switchboard_bench_intake_{uuid.uuid4().hex[:8]}"
    admin = open_database(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{PG_SERVER}/{name}"
    try:
        seed(url)
        lanes, distinct = plan(args.messages, args.workers, args.seed)
        queue: multiprocessing.Queue = multiprocessing.Queue()
        context = multiprocessing.get_context("fork")
        processes = [context.Process(target=work, args=(url, lane, queue)) for lane in lanes]
        began = time.perf_counter()
        for process in processes:
            process.start()
        outcomes = [item for _ in processes for item in queue.get()]
        for process in processes:
            process.join()
        seconds = time.perf_counter() - began
        cli_seconds, cli_outcomes = through_cli(url, args.cli) if args.cli else (0.0, [])
        checks = verify(url, outcomes + cli_outcomes, distinct + args.cli)
        fetched = through_imap(url, args.imap) if args.imap else {}
        kinds: dict[str, int] = {}
        for _, outcome in outcomes:
            kinds[outcome] = kinds.get(outcome, 0) + 1
        result = {
            "messages": len(outcomes),
            "distinct": distinct,
            "workers": args.workers,
            "seconds": round(seconds, 2),
            "messages_per_s": round(len(outcomes) / seconds, 1),
            "outcomes": kinds,
            "cli_messages": args.cli,
            "cli_messages_per_s": round(args.cli / cli_seconds, 1) if args.cli else None,
            **checks,
            **fetched,
            "load_average": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(result))
        if (
            checks["lost"]
            or checks["duplicated"]
            or fetched.get("imap_lost")
            or fetched.get("imap_duplicated")
        ):
            sys.exit(1)
    finally:
        with admin.engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()

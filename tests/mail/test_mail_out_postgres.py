"""Mail out on Postgres under intake's own service login: the acknowledgement is queued,
and a page acknowledged by replying "ack" is written in intake's name on behalf of the
staff member (the events guard accepts it)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from console.cli import main
from console.clock import SystemClock
from console.store import commands, mail_out
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.models import Event
from console.store.models_paging import Outbox, Page
from tests.mail.intake_helpers import mail_desk, message, pipe
from tests.mail.test_intake_postgres import cli_pipe, intake_login  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]
PATIENCE = 60.0
HANDLES = ("lena", "dora", "ari", "abe", "tess", "cara")


def _mail(sender: str, mid: str, body: str, *extra: str) -> bytes:
    head = [f"From: {sender}", "To: help@x.test", "Subject: Re: x", f"Message-ID: {mid}"]
    return "\r\n".join([*head, *extra, "", body, ""]).encode()


def test_intake_login_acknowledges_and_takes_a_page_ack(
    desk: Database,
    database_url: str,
    intake_login: str,  # noqa: F811 (the imported fixture)
    capsys,
    monkeypatch,
) -> None:
    now = SystemClock().now()
    with desk.session() as s:
        for handle in HANDLES:
            commands.set_staff_contact(
                s, "lena", now, handle=handle, email=f"{handle}@x.test", notify=[]
            )
        for handle, kind in (("ari", "on-call"), ("abe", "duty")):
            commands.add_shift(
                s,
                "lena",
                now,
                staff=handle,
                kind=kind,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=2),
            )
        commands.add_contact(
            s, "lena", now, customer="Springfield", name="Dana", email="dana@springfield.example"
        )
    with desk.session() as s:
        rid = commands.log_request(
            s,
            "dora",
            now,
            Rules.defaults(),
            channel="call",
            customer="Springfield",
            summary="the website is down",
            contact="Mayor Quimby",
            emergency=True,
        ).id
    with desk.reading() as s:
        mid, address = s.execute(
            select(Outbox.headers["Message-ID"].as_string(), Outbox.recipient).where(
                Outbox.channel == "email", Outbox.page_id.is_not(None)
            )
        ).first()
    assert (
        main(["db", "grant-service", "intake", "--login", intake_login, "--database", desk.url])
        == 0
    )
    capsys.readouterr()
    as_intake = make_url(database_url).set(username=intake_login).render_as_string(False)

    new = _mail("dana@springfield.example", "<d1@springfield.example>", "Printer jam.")
    code, out, err = cli_pipe(capsys, monkeypatch, as_intake, new)
    assert code == 0 and '"outcome": "new"' in out, err
    ack = _mail(address, "<k1@x.test>", "ack", f"In-Reply-To: {mid}")
    code, out, err = cli_pipe(capsys, monkeypatch, as_intake, ack)
    assert code == 0 and "acknowledged by" in out, err
    with desk.reading() as s:
        assert s.scalar(select(Page.state).where(Page.request_id == rid)) == "acked"
        event = s.scalar(select(Event).where(Event.kind == "page.acked"))
        assert event.actor == "intake" and event.on_behalf_of.startswith("staff:")
        purposes = set(s.scalars(select(Outbox.purpose)))
        assert "acknowledgement" in purposes


def test_two_intakes_at_once_acknowledge_one_sender_once(
    desk: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Intake A has decided to acknowledge and not yet committed; intake B files another
    message from the same sender meanwhile. B must wait for A and then see A's
    acknowledgement (the hourly limit), not find none and send a second one."""
    mail = mail_desk(desk)
    in_ack, go_on = threading.Event(), threading.Event()
    queue = mail_out.queue

    def held_queue(*args: object, **kwargs: object) -> object:
        if not in_ack.is_set():  # intake A: pause inside its transaction
            in_ack.set()
            assert go_on.wait(PATIENCE)
        return queue(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mail_out, "queue", held_queue)
    results: dict[str, str] = {}

    def intake(name: str, subject: str) -> None:
        database = open_database(database_url)
        try:
            data = message("dmiller@springfield.example", subject, message_id=f"<{name}@x>")
            results[name] = pipe(database, data).outcome
        finally:
            database.dispose()

    first = threading.Thread(target=intake, args=("a", "Printer down"))
    first.start()
    assert in_ack.wait(PATIENCE)
    second = threading.Thread(target=intake, args=("b", "Scanner down too"))
    second.start()
    deadline = time.monotonic() + PATIENCE
    with mail.engine.connect() as watcher:  # B waits on A's lock, or (without it) is done
        waiting = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        while second.is_alive() and not watcher.execute(waiting).scalar():
            watcher.rollback()
            assert time.monotonic() < deadline, "intake B neither waited nor finished"
            time.sleep(0.02)
    go_on.set()
    first.join(PATIENCE)
    second.join(PATIENCE)
    assert results == {"a": "new", "b": "new"}
    with mail.reading() as session:
        acks = session.scalars(select(Outbox.recipient).where(Outbox.purpose == "acknowledgement"))
        assert list(acks) == ["dmiller@springfield.example"]

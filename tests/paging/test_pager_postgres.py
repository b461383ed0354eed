"""Two pagers racing on Postgres (`FOR UPDATE SKIP LOCKED`): each message leaves once and
each escalation step is taken once."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, make_url, select, text

from console.clock import FrozenClock
from console.paging.pager import Pager
from console.store import commands, grants
from console.store.commands import Rules
from console.store.db import Database, open_database
from console.store.models import Event
from console.store.models_paging import Outbox
from tests.conftest import _empty_postgres
from tests.paging.conftest import log_emergency, make_pager
from tests.paging.servers import JsonSink, SmtpSink

pytestmark = pytest.mark.postgres
EMERGENCIES = 30


@pytest.fixture
def database_url(postgres_url: str) -> str:
    database = open_database(postgres_url)
    _empty_postgres(database)
    database.dispose()
    return postgres_url


def _race(pagers: list[Pager]) -> list[object]:
    barrier = threading.Barrier(len(pagers))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(pager: Pager) -> None:
        try:
            barrier.wait(10)
            results.append(pager.tick())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in pagers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return results


def test_two_pagers_send_each_page_once_and_escalate_each_step_once(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink, webhook: JsonSink
) -> None:
    with night_desk.session() as s:
        for n in range(EMERGENCIES):
            commands.log_request(
                s,
                "dora",
                clock.now(),
                Rules.defaults(),
                channel="call",
                customer="Springfield",
                summary=f"down {n}",
                contact="Mayor Quimby",
                emergency=True,
            )
    databases = [open_database(night_desk.url) for _ in range(2)]
    try:
        pagers = [make_pager(d, clock, smtp.port) for d in databases]
        first = _race(pagers)
        clock.advance(timedelta(minutes=10))  # every page's step 1 comes due at once
        results = _race(pagers)
        assert sum(r.escalated for r in results) == EMERGENCIES  # type: ignore[attr-defined]
        sent = sum(r.outcome.sent for r in first + results)  # type: ignore[attr-defined]
        assert sent == 4 * EMERGENCIES  # e-mail and webhook, first page and step 1
    finally:
        for d in databases:
            d.dispose()
    ids = Counter(str(m["Message-ID"]) for m in smtp.messages)
    assert len(ids) == 2 * EMERGENCIES and set(ids.values()) == {1}
    assert len(webhook.posts) == 2 * EMERGENCIES
    with night_desk.reading() as s:
        assert s.scalar(select(func.count()).where(Outbox.state != "sent")) == 0
        escalated = s.scalar(
            select(func.count()).select_from(Event).where(Event.kind == "page.escalated")
        )
    assert escalated == EMERGENCIES


def test_the_pager_runs_as_a_service_login_and_agents_page_and_ack_as_themselves(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink, database_url: str
) -> None:
    suffix = uuid.uuid4().hex[:8]
    agent, service = f"ari_{suffix}", f"pager_{suffix}"
    with night_desk.engine.begin() as connection:
        grants.grant(connection, "dora", "dispatcher", login=agent)
        grants.grant_service(connection, "pager", login=service)
    as_agent = open_database(make_url(database_url).set(username=agent).render_as_string(False))
    as_pager = open_database(make_url(database_url).set(username=service).render_as_string(False))
    try:
        rid = log_emergency(as_agent, clock, summary="down")
        pager = make_pager(as_pager, clock, smtp.port)
        assert pager.tick().outcome.sent == 2
        clock.advance(timedelta(minutes=10))
        assert pager.tick().escalated == 1
        with as_agent.session() as s:
            commands.ack_page(s, "dora", clock.now(), request_id=rid)
    finally:
        as_agent.dispose()
        as_pager.dispose()
        with night_desk.engine.begin() as connection:
            for name in (agent, service):
                connection.execute(text(f'DROP OWNED BY "{name}"'))
                connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    with night_desk.reading() as s:
        events = s.execute(
            select(Event.kind, Event.actor).where(Event.entity == "page").order_by(Event.id)
        ).all()
        sql = s.scalar(select(func.count()).where(Event.kind.like("sql.%")))
    assert events == [("page.opened", "dora"), ("page.escalated", "pager"), ("page.acked", "dora")]
    assert sql == 0  # every change came with its own event


def test_two_pagers_write_one_handoff_per_ended_shift(
    night_desk: Database, clock: FrozenClock, smtp: SmtpSink
) -> None:
    with night_desk.session() as s:
        for n in range(5):  # five short on-call shifts of cara, all ended by now
            commands.add_shift(
                s,
                "lena",
                clock.now(),
                staff="cara",
                kind="on-call",
                starts_at=clock.now() - timedelta(hours=6 - n),
                ends_at=clock.now() - timedelta(hours=5 - n, minutes=30),
            )
    databases = [open_database(night_desk.url) for _ in range(2)]
    try:
        results = _race([make_pager(d, clock, smtp.port) for d in databases])
    finally:
        for d in databases:
            d.dispose()
    assert sum(r.handoffs for r in results) == 5  # type: ignore[attr-defined]
    handoffs = [s for s in smtp.subjects() if s.startswith("HANDOFF on call cara")]
    assert len(handoffs) == 5

"""The write path: each command's rules, its events, and that refusals write nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, update

from console.store import audit, queries
from console.store import commands as c
from console.store.db import Database, open_database
from console.store.errors import (
    ConflictError,
    InvalidInput,
    InvalidState,
    NotFound,
    PermissionDenied,
)
from console.store.models import Event, Staff
from tests.conftest import NOW

#: Saturday 5 December 2026, 22:00 in Chicago: the desk is closed.
SATURDAY_NIGHT = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)


def events(database: Database) -> list[Event]:
    with database.session() as session:
        return list(session.scalars(select(Event).order_by(Event.id)))


def test_an_email_gets_a_business_clock_due_time_and_one_event(desk: Database, rules) -> None:
    before = len(events(desk))
    with desk.session() as session:
        view = c.log_email(session, "ari", NOW, rules, customer="springfield", summary="Forms")
    assert view.due_at == NOW + timedelta(hours=4)
    assert (view.status, view.billing_state, view.version) == ("open", "none", 1)
    logged = events(desk)[before:]
    assert [(e.kind, e.entity, e.entity_id, e.actor) for e in logged] == [
        ("request.logged", "request", view.id, "ari")
    ]
    assert logged[0].before is None
    assert logged[0].after["summary"] == "Forms"
    if desk.dialect == "postgresql":
        assert logged[0].transaction_id is not None
    else:
        assert logged[0].transaction_id is None


def test_a_live_call_is_responded_at_once(desk: Database, rules) -> None:
    with desk.session() as session:
        view = c.log_call_answered(session, "ari", NOW, rules, customer="1", summary="Login")
    assert view.due_at is None
    assert view.first_response_at == NOW


def test_an_after_hours_email_waits_for_opening_and_needs_a_billing_notice(
    desk: Database, rules
) -> None:
    with desk.session() as session:
        view = c.log_email(
            session, "ari", SATURDAY_NIGHT, rules, customer="Shelbyville", summary="Update the page"
        )
        # Monday 7 December 07:00 Chicago + 4 business hours = 11:00 (17:00 UTC).
        assert view.due_at == datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
        assert view.billing_state == "needs-notice"
        notice = c.record_billing_notice(
            session, "ari", SATURDAY_NIGHT, request_id=view.id, method="phone"
        )
        assert notice.billing_state == "notified"
        with pytest.raises(InvalidState, match="already has its billing notice"):
            c.record_billing_notice(
                session, "ari", SATURDAY_NIGHT, request_id=view.id, method="email"
            )


def test_a_notice_given_by_someone_else_names_them_and_audits_the_recorder(
    desk: Database, rules
) -> None:
    with desk.session() as session:
        view = c.log_email(
            session, "ari", SATURDAY_NIGHT, rules, customer="Shelbyville", summary="Update"
        )
    before = len(events(desk))
    with desk.session() as session, pytest.raises(NotFound, match="nobody"):
        c.record_billing_notice(
            session, "dora", SATURDAY_NIGHT, request_id=view.id, method="phone", given_by="nobody"
        )
    assert len(events(desk)) == before  # refused: nothing written
    with desk.session() as session:
        notice = c.record_billing_notice(
            session, "dora", SATURDAY_NIGHT, request_id=view.id, method="phone", given_by="abe"
        )
    assert (notice.given_by, notice.billing_state) == ("abe", "notified")
    written = events(desk)[before:]
    assert [(e.kind, e.actor) for e in written] == [
        ("billing-notice.recorded", "dora"),
        ("request.billing-notified", "dora"),
    ]


def test_declining_billing(desk: Database, rules) -> None:
    with desk.session() as session:
        view = c.log_email(
            session, "ari", SATURDAY_NIGHT, rules, customer="Shelbyville", summary="x"
        )
        declined = c.record_decline(session, "abe", SATURDAY_NIGHT, request_id=view.id)
        assert declined.billing_state == "declined"
        with pytest.raises(InvalidState, match="billing state declined"):
            c.record_decline(session, "abe", SATURDAY_NIGHT, request_id=view.id)
        in_hours = c.log_email(session, "ari", NOW, rules, customer="Shelbyville", summary="y")
        with pytest.raises(InvalidState, match="needs no billing notice"):
            c.record_billing_notice(session, "ari", NOW, request_id=in_hours.id, method="phone")


def test_after_hours_work_turns_a_request_to_needs_notice(desk: Database, rules) -> None:
    with desk.session() as session:
        view = c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
        evening = NOW + timedelta(hours=10)  # 20:00 Chicago
        work = c.log_work(
            session,
            "ari",
            evening + timedelta(hours=1),
            rules,
            request_id=view.id,
            started_at=evening,
            ended_at=evening + timedelta(minutes=30),
            note="a\nb",
        )
        assert work.billing_state == "needs-notice"
    kinds = [e.kind for e in events(desk)[-2:]]
    assert kinds == ["work.logged", "request.needs-billing-notice"]


def test_emergencies_from_undesignated_contacts_are_unverified(desk: Database, rules) -> None:
    with desk.session() as session:
        mayor = c.log_email(
            session,
            "ari",
            NOW,
            rules,
            customer="Springfield",
            contact="mayor quimby",
            summary="site down",
            emergency=True,
        )
        clerk = c.log_email(
            session,
            "ari",
            NOW,
            rules,
            customer="Springfield",
            contact="Clerk Smithers",
            summary="site down",
            emergency=True,
        )
        nobody = c.log_email(
            session, "ari", NOW, rules, customer="Springfield", summary="site down", emergency=True
        )
    assert mayor.due_at == NOW + timedelta(hours=1)
    assert (mayor.emergency_unverified, clerk.emergency_unverified) == (False, True)
    assert nobody.emergency_unverified


def test_an_after_hours_emergency_goes_to_whoever_is_on_call(desk: Database, rules) -> None:
    with desk.session() as session:
        c.add_shift(
            session,
            "dora",
            NOW,
            staff="abe",
            kind="on-call",
            starts_at=SATURDAY_NIGHT - timedelta(hours=2),
            ends_at=SATURDAY_NIGHT + timedelta(hours=8),
        )
        view = c.log_voicemail(
            session,
            "ari",
            SATURDAY_NIGHT,
            rules,
            customer="Springfield",
            contact="Mayor Quimby",
            summary="down",
            emergency=True,
        )
    assert view.assignee == "abe"
    assert view.billing_state == "none"


@pytest.mark.parametrize(
    ("who", "action", "needs"),
    [
        ("ari", "assign", "a dispatcher or lead"),
        ("dora", "reassign", "a lead"),
        ("ari", "staff", "a lead"),
        ("dora", "customer", "a lead"),
        ("ari", "shift", "a dispatcher or lead"),
        ("ari", "presence", "a dispatcher or lead"),
    ],
)
def test_roles_are_enforced_and_nothing_is_written(
    desk: Database, rules, fingerprint_of, who: str, action: str, needs: str
) -> None:
    with desk.session() as session:
        request = c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
        escalation = c.escalate(session, "ari", NOW, request_id=request.id, kind="product")
    attempts = {
        "assign": lambda s: c.assign(s, who, NOW, request_id=request.id, to="abe"),
        "reassign": lambda s: c.reassign_escalation(
            s, who, NOW, escalation_id=escalation.id, to="tess"
        ),
        "staff": lambda s: c.add_staff(
            s, who, NOW, handle="zed", name="Z", role="agent", department="desk"
        ),
        "customer": lambda s: c.add_customer(s, who, NOW, municipality="Ogdenville", liaison="ari"),
        "shift": lambda s: c.add_shift(
            s, who, NOW, staff="ari", kind="duty", starts_at=NOW, ends_at=NOW + timedelta(hours=8)
        ),
        "presence": lambda s: c.set_presence(s, who, NOW, staff="abe", state="away"),
    }
    before = fingerprint_of(desk)
    with desk.session() as session, pytest.raises(PermissionDenied, match=needs):
        attempts[action](session)
    assert fingerprint_of(desk) == before


def test_escalations_route_by_kind_and_leads_move_them(desk: Database, rules) -> None:
    with desk.session() as session:
        ids = [
            c.log_email(session, "ari", NOW, rules, customer="Springfield", summary=str(n)).id
            for n in range(3)
        ]
        care = c.escalate(session, "ari", NOW, request_id=ids[0], kind="additional-services")
        tech = c.escalate(session, "ari", NOW, request_id=ids[1], kind="product")
        with pytest.raises(InvalidInput, match="needs a named person"):
            c.escalate(session, "ari", NOW, request_id=ids[2], kind="other")
        person = c.escalate(session, "ari", NOW, request_id=ids[2], kind="other", to="abe")
        assert (care.destination, tech.destination, person.destination) == (
            "customer-care",
            "technical",
            "person",
        )
        assert person.assignee == "abe"
        with pytest.raises(InvalidState, match="already escalated"):
            c.escalate(session, "ari", NOW, request_id=ids[2], kind="product")
        with pytest.raises(InvalidInput, match="needs a reason"):
            c.reassign_escalation(
                session, "lena", NOW, escalation_id=care.id, to=None, destination="technical"
            )
        moved = c.reassign_escalation(
            session,
            "lena",
            NOW,
            escalation_id=care.id,
            to=None,
            destination="technical",
            reason="it is a bug",
        )
        assert (moved.destination, moved.version) == ("technical", 2)
        with pytest.raises(PermissionDenied, match="technical leads"):
            c.set_technical_priority(session, "lena", NOW, escalation_id=tech.id, priority=1)
        ranked = c.set_technical_priority(session, "tess", NOW, escalation_id=tech.id, priority=1)
        assert ranked.technical_priority == 1
        with pytest.raises(InvalidState, match="not technical"):
            c.set_technical_priority(session, "tess", NOW, escalation_id=person.id, priority=2)
        c.resolve(session, "ari", NOW, request_id=ids[1])
        assert queries.request_escalations(session, ids[1])[0].status == "closed"


def test_moving_an_escalation_keeps_its_earlier_reason(desk: Database, rules) -> None:
    """Issue 18: a move overwrote the liaison's reason; now the new one comes first and
    the earlier one is kept after it."""
    with desk.session() as session:
        request = c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
        care = c.escalate(
            session, "ari", NOW, request_id=request.id, kind="additional-services", reason="quote"
        )
        moved = c.reassign_escalation(
            session,
            "lena",
            NOW,
            escalation_id=care.id,
            to=None,
            destination="technical",
            reason="it is a bug",
        )
        assert moved.reason == "it is a bug ← quote"
        given = c.reassign_escalation(session, "lena", NOW, escalation_id=care.id, to="tess")
        assert given.reason == "it is a bug ← quote"  # no new reason: kept as it is


def test_respond_resolve_reopen(desk: Database, rules) -> None:
    with desk.session() as session:
        view = c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
        with pytest.raises(InvalidInput, match="before it was received"):
            c.respond(session, "ari", NOW, request_id=view.id, at=NOW - timedelta(hours=1))
        with pytest.raises(InvalidInput, match="in the future"):
            c.respond(session, "ari", NOW, request_id=view.id, at=NOW + timedelta(hours=1))
        responded = c.respond(session, "ari", NOW + timedelta(minutes=5), request_id=view.id)
        assert responded.first_response_at == NOW + timedelta(minutes=5)
        with pytest.raises(InvalidState, match="already had its first response"):
            c.respond(session, "ari", NOW, request_id=view.id)
        resolved = c.resolve(session, "abe", NOW, request_id=view.id)
        assert (resolved.status, resolved.resolved_at) == ("resolved", NOW)
        with pytest.raises(InvalidState, match="is resolved: cannot resolve"):
            c.resolve(session, "abe", NOW, request_id=view.id)
        reopened = c.reopen(session, "lena", NOW, request_id=view.id)
        assert (reopened.status, reopened.resolved_at, reopened.version) == ("open", None, 4)
        history = queries.request_history(session, view.id)
    assert [e.kind for e in history] == [
        "request.logged",
        "request.responded",
        "request.resolved",
        "request.reopened",
    ]
    assert history[1].before["first_response_at"] is None


def test_a_stale_version_names_who_changed_it(desk: Database, rules, fingerprint_of) -> None:
    later = NOW + timedelta(minutes=3)
    with desk.session() as session:
        view = c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
        c.assign(session, "dora", later, request_id=view.id, to="abe", expected_version=1)
    before = fingerprint_of(desk)
    with desk.session() as session, pytest.raises(ConflictError) as caught:
        c.assign(session, "lena", later, request_id=view.id, to="ari", expected_version=1)
    assert (caught.value.changed_by, caught.value.changed_at) == ("dora", later)
    assert (caught.value.request_id, caught.value.customer) == (view.id, "Springfield")
    assert f"request {view.id} (Springfield) was changed by dora" in str(caught.value)
    assert fingerprint_of(desk) == before


def test_the_first_staff_member_bootstraps_and_must_be_a_lead(database: Database) -> None:
    with database.session() as session:
        with pytest.raises(PermissionDenied, match="must be a lead"):
            c.add_staff(
                session, None, NOW, handle="ann", name="Ann", role="agent", department="desk"
            )
        c.add_staff(session, None, NOW, handle="ann", name="Ann", role="lead", department="desk")
        with pytest.raises(NotFound, match="no active acting staff member"):
            c.add_staff(
                session, None, NOW, handle="bob", name="Bob", role="agent", department="desk"
            )
        with pytest.raises(InvalidState, match="already exists"):
            c.add_staff(
                session, "ann", NOW, handle="ANN", name="Ann", role="lead", department="desk"
            )


def test_presence_is_set_by_oneself_or_a_dispatcher(desk: Database) -> None:
    with desk.session() as session:
        own = c.set_presence(session, "ari", NOW, staff="ari", state="on-a-call")
        other = c.set_presence(session, "dora", NOW, staff="abe", state="available")
    assert (own.state, other.state, other.since) == ("on-a-call", "available", NOW)
    assert events(desk)[-1].kind == "presence.set"


@pytest.mark.parametrize(
    ("summary", "message"),
    [
        ("", "summary is empty"),
        ("x" * 10_000_000, "summary is too long (10000000 characters; at most 2000)"),
        ("bell\x07", "control character (U+0007)"),
        ("a\nb", "control character (U+000A)"),
    ],
)
def test_bad_text_is_refused(desk: Database, rules, fingerprint_of, summary, message) -> None:
    before = fingerprint_of(desk)
    with desk.session() as session, pytest.raises(InvalidInput) as caught:
        c.log_email(session, "ari", NOW, rules, customer="Springfield", summary=summary)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert fingerprint_of(desk) == before


def test_sql_looking_text_is_stored_verbatim(desk: Database, rules) -> None:
    nasty = "Robert'); DROP TABLE requests; --"
    with desk.session() as session:
        view = c.log_email(session, "ari", NOW, rules, customer="Springfield", summary=nasty)
        assert queries.get_request(session, view.id).summary == nasty
        with pytest.raises(NotFound, match="no customer"):
            c.log_email(session, "ari", NOW, rules, customer="x' OR '1'='1", summary="y")


def test_a_session_reads_each_actor_once_and_a_rollback_forgets_them(desk: Database, rules):
    with desk.session() as session:
        c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
        with desk.engine.begin() as other:
            other.execute(update(Staff).where(Staff.handle == "ari").values(active=False))
        # A failed command rolls back, and what the session knew about staff goes with it.
        with pytest.raises(NotFound, match="no customer"):
            c.log_email(session, "abe", NOW, rules, customer="Nowhere", summary="x")
        with pytest.raises(NotFound, match="no active acting staff member with handle 'ari'"):
            c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
    with desk.session() as session, pytest.raises(NotFound, match="no active acting staff"):
        c.respond(session, "ari", NOW, request_id=1)


def test_a_write_takes_three_statements_besides_its_transaction(desk: Database, rules) -> None:
    """The hot path: no per-write lookups that could be folded (actor, view names)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:
        if not statement.startswith("BEGIN"):
            statements.append(statement.split(None, 1)[0].upper())

    with desk.session() as session:
        c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="warm-up")
        event.listen(desk.engine, "before_cursor_execute", count)
        try:
            view = c.log_email(session, "ari", NOW, rules, customer="Springfield", summary="x")
            logged, statements[:] = list(statements), []
            responded = c.respond(session, "ari", NOW, request_id=view.id)
        finally:
            event.remove(desk.engine, "before_cursor_execute", count)
    events_insert = "INSERT"
    assert logged == ["SELECT", "INSERT", events_insert]  # customer, request, event
    assert statements == ["SELECT", "UPDATE", events_insert]  # request + names, request, event
    assert (view.customer, responded.customer, responded.version) == ("Springfield",) * 2 + (2,)


@pytest.mark.postgres
def test_one_notification_per_committed_transaction(postgres_url: str, rules) -> None:
    """The feed wakes on each commit that wrote events; a command writing two events
    notifies once, a refused one not at all."""
    import psycopg

    from tests.conftest import _empty_postgres

    database = open_database(postgres_url)
    _empty_postgres(database)
    dsn = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute(f"LISTEN {audit.CHANNEL}")

        def notified() -> list[int]:
            listener.execute("SELECT 1")  # a round trip delivers what is pending
            return [int(n.payload) for n in listener.notifies(timeout=0.2)]

        with database.session() as session:
            c.add_staff(session, None, NOW, handle="lena", name="L", role="lead", department="desk")
            c.add_customer(session, "lena", NOW, municipality="Springfield", liaison="lena")
            assert len(notified()) == 2
            view = c.log_email(session, "lena", NOW, rules, customer="Springfield", summary="x")
            first = notified()
            evening = NOW + timedelta(hours=10)  # after-hours work: two events, one commit
            c.log_work(
                session,
                "lena",
                evening + timedelta(hours=1),
                rules,
                request_id=view.id,
                started_at=evening,
                ended_at=evening + timedelta(minutes=30),
            )
            second = notified()
            c.respond(session, "lena", NOW, request_id=view.id)
            with pytest.raises(InvalidState, match="already had its first response"):
                c.respond(session, "lena", NOW, request_id=view.id)
            third = notified()
    written = events(database)
    database.dispose()
    assert [e.kind for e in written[-4:]] == [
        "request.logged",
        "work.logged",
        "request.needs-billing-notice",
        "request.responded",
    ]
    assert first == [written[-4].id]
    assert second == [written[-3].id]  # the transaction's first event
    assert third == [written[-1].id]  # the refused respond sent nothing

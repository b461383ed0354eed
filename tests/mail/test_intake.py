"""Mail intake files every message once: new, reply, duplicate, ignored or quarantined
(SQLite; the Postgres races are in test_intake_postgres.py)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from console.mail.parsing import read_message
from console.store import commands, queries
from console.store.board import Board
from console.store.commands import Rules
from console.store.commands.quarantine import held_count
from console.store.db import Database
from console.store.errors import InvalidState
from console.store.models_mail import MailAttachment, MailMessage
from console.store.reports.billing import billing_report
from console.store.reports.sla import sla_report
from tests.mail.conftest import MESSAGES, raw
from tests.mail.intake_helpers import NOW, events, mail_desk, message, pipe, request

AUTOMATIC = {
    "auto_submitted.eml",
    "delivery_status.eml",
    "list_id.eml",
    "null_sender.eml",
    "own_outgoing.eml",
    "precedence_bulk.eml",
    "precedence_junk.eml",
    "precedence_list.eml",
    "vacation_outlook.eml",
    "x_autoreply.eml",
    "x_autorespond.eml",
}
FIXTURES = sorted(p.name for p in MESSAGES.glob("*.eml"))


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: these tests are about intake's logic, not the database's."""
    path = tmp_path / "switchboard.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def mail(desk: Database) -> Database:
    return mail_desk(desk)


@pytest.mark.parametrize("name", FIXTURES)
def test_every_fixture_is_filed_once(mail: Database, name: str) -> None:
    first = pipe(mail, name)
    if name in AUTOMATIC:
        assert (first.outcome, first.request) == ("ignored", None), first.reason
    else:
        assert first.outcome == "new", first.reason
        row = request(mail, first.request)
        assert row.channel == ("voicemail" if name.startswith("asterisk") else "email")
        assert row.received_at <= NOW and row.due_at is not None
    again = pipe(mail, name)
    assert (again.outcome, again.request) == ("duplicate", first.request)
    with mail.reading() as session:
        assert len(session.scalars(select(MailMessage.id)).all()) == 1
    assert {e.actor for e in events(mail) if e.entity.startswith(("mail_message", "request"))} <= {
        "lena",
        "intake",
    }


def test_a_known_contact_is_matched_by_address_and_timed_from_our_receipt(mail: Database) -> None:
    result = pipe(mail, "outlook_reply.eml")  # From: DMiller@Springfield.example
    row = request(mail, result.request)
    assert row.status == "open" and row.contact_id is not None
    # The topmost Received header (our MX), not the sender's Date.
    assert row.received_at == datetime(2026, 12, 1, 15, 20, 31, tzinfo=UTC)
    logged = [e for e in events(mail) if e.kind == "request.logged"][-1]
    assert logged.actor == "intake" and logged.on_behalf_of == f"contact:{row.contact_id}"


def test_a_colleague_at_a_known_domain_is_matched_to_the_town(mail: Database) -> None:
    result = pipe(mail, "multipart_alternative.eml")  # Clerk@Springfield.example, no contact
    row = request(mail, result.request)
    with mail.reading() as session:
        assert queries.get_request(session, row.id).customer == "Springfield"
    assert row.contact_id is None and row.status == "open"


def test_a_future_date_header_is_never_the_received_time(mail: Database) -> None:
    row = request(mail, pipe(mail, "future_date.eml").request)
    assert row.received_at <= NOW


def test_an_unknown_sender_waits_in_triage_and_breaks_no_read(mail: Database) -> None:
    result = pipe(mail, "base64_body.eml")  # sortiz@ogdenville.example: nobody knows
    assert result.outcome == "new" and "triage" in result.reason
    row = request(mail, result.request)
    assert (row.status, row.customer_id, row.logged_by_id) == ("triage", None, None)
    board = Board(mail)
    loaded = board.load(NOW, NOW.date())
    # On the board (the console lists it under the `triage` quick filter), marked so.
    assert loaded.requests[row.id].triage and loaded.requests[row.id].status == "triage"
    with mail.reading() as session:
        assert queries.get_request(session, row.id).customer is None
        policy, days = Rules.defaults().policy, (NOW.date() - timedelta(days=1), NOW.date())
        assert sla_report(session, policy, *days, NOW).by_customer == ()
        assert billing_report(session, policy, *days) is not None
    with mail.session() as session, pytest.raises(InvalidState, match="triage"):
        commands.resolve(session, "ari", NOW, request_id=row.id)
    with mail.session() as session:
        view = commands.attach_request(
            session, "dora", NOW, request_id=row.id, customer="Shelbyville", contact="Mayor Hooper"
        )
    assert (view.status, view.customer, view.contact) == ("open", "Shelbyville", "Mayor Hooper")
    assert view.received_at == row.received_at and view.due_at == row.due_at
    changes = board.changes([("request", row.id)], NOW, NOW.date())
    assert row.id in changes.requests
    with mail.session() as session, pytest.raises(InvalidState, match="not in triage"):
        commands.attach_request(session, "dora", NOW, request_id=row.id, customer="Springfield")


def test_only_dispatchers_attach(mail: Database) -> None:
    result = pipe(mail, "base64_body.eml")
    with mail.session() as session, pytest.raises(Exception, match="dispatcher"):
        commands.attach_request(
            session, "ari", NOW, request_id=result.request, customer="Springfield"
        )
    assert request(mail, result.request).status == "triage"


def test_a_reply_joins_by_in_reply_to_only_from_its_customer(mail: Database) -> None:
    first = pipe(mail, message("dmiller@springfield.example", "Broken", message_id="<a@x>"))
    reply = pipe(
        mail,
        message(
            "clerk@springfield.example",
            "Re: Broken",
            message_id="<b@x>",
            extra="In-Reply-To: <a@x>",
        ),
    )
    assert (reply.outcome, reply.request) == ("reply", first.request)
    stranger = pipe(
        mail,
        message(
            "chris.wu@shelbyville.example",
            "Re: Broken",
            message_id="<c@x>",
            extra="References: <a@x>",
        ),
    )
    assert stranger.outcome == "new" and stranger.request != first.request


def test_a_reply_joins_by_subject_token_and_thread_index(mail: Database) -> None:
    first = pipe(mail, message("dmiller@springfield.example", "Calendar", message_id="<t1@x>"))
    token = pipe(
        mail,
        message(
            "dmiller@springfield.example", f"RE: [SB#{first.request}] Calendar", message_id="<t2@x>"
        ),
    )
    assert (token.outcome, token.request) == ("reply", first.request)
    forged = pipe(
        mail,
        message("chris.wu@shelbyville.example", f"[SB#{first.request}] hi", message_id="<t3@x>"),
    )
    assert forged.outcome == "new" and forged.request != first.request
    index = "Thread-Index: AdxjDCT+E4S1v1BvRTuGqYeGlWHsAA=="
    one = pipe(
        mail, message("dmiller@springfield.example", "Budget", message_id="<o1@x>", extra=index)
    )
    two = pipe(
        mail, message("dmiller@springfield.example", "RE: Budget", message_id="<o2@x>", extra=index)
    )
    assert one.outcome == "new" and (two.outcome, two.request) == ("reply", one.request)


def test_a_reply_to_a_resolved_request_reopens_it_within_14_days(mail: Database) -> None:
    first = pipe(mail, message("dmiller@springfield.example", "Agenda", message_id="<r1@x>"))
    with mail.session() as session:
        commands.resolve(session, "ari", NOW, request_id=first.request)
    later = NOW + timedelta(days=3)
    auto = pipe(
        mail,
        message(
            "dmiller@springfield.example",
            f"Automatic reply: [SB#{first.request}]",
            message_id="<r0@x>",
            extra="Auto-Submitted: auto-replied",
        ),
        now=later,
    )
    assert auto.outcome == "ignored" and request(mail, first.request).status == "resolved"
    reply = pipe(
        mail,
        message(
            "dmiller@springfield.example",
            "Re: Agenda",
            message_id="<r2@x>",
            extra="In-Reply-To: <r1@x>",
            received=later.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        ),
        now=later,
    )
    assert (reply.outcome, reply.request) == ("reply", first.request)
    assert request(mail, first.request).status == "open"
    reopened = [e for e in events(mail) if e.kind == "request.reopened"]
    assert [e.actor for e in reopened] == ["intake"]


def test_a_reply_long_after_resolving_starts_a_linked_request(mail: Database) -> None:
    first = pipe(mail, message("dmiller@springfield.example", "Agenda", message_id="<l1@x>"))
    with mail.session() as session:
        commands.resolve(session, "ari", NOW, request_id=first.request)
    later = NOW + timedelta(days=20)
    reply = pipe(
        mail,
        message(
            "dmiller@springfield.example",
            "Re: Agenda",
            message_id="<l2@x>",
            extra="In-Reply-To: <l1@x>",
            received=later.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        ),
        now=later,
    )
    assert reply.outcome == "new" and reply.request != first.request
    assert request(mail, reply.request).follows_request_id == first.request
    assert request(mail, first.request).status == "resolved"


def test_a_voicemail_is_matched_by_phone_digits_and_keeps_its_recording(mail: Database) -> None:
    result = pipe(mail, "asterisk_voicemail.eml")
    row = request(mail, result.request)
    assert (row.channel, row.status) == ("voicemail", "open") and row.contact_id is not None
    assert row.received_at == datetime(2026, 12, 1, 14, 30, 12, tzinfo=UTC)  # Orig-time
    with mail.reading() as session:
        messages = queries.request_messages(session, row.id)
        data = session.scalars(select(MailAttachment.data)).one()
    assert [a["filename"] for a in messages[0].attachments] == ["msg0000.wav"]
    assert data is not None and len(data) == 1644
    unknown = request(mail, pipe(mail, "asterisk_voicemail_plain.eml").request)
    assert (unknown.channel, unknown.status) == ("voicemail", "triage")


def test_a_30_mb_attachment_is_refused_politely(mail: Database) -> None:
    big = b"A" * (30 * 1024 * 1024)
    import base64

    encoded = base64.encodebytes(big).decode()
    body = (
        "--XX\r\nContent-Type: text/plain\r\n\r\nSee the attached video.\r\n"
        "--XX\r\nContent-Type: video/mp4\r\nContent-Disposition: attachment; filename=big.mp4\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--XX--\r\n"
    )
    data = message("dmiller@springfield.example", "Video", message_id="<big@x>").replace(
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nHello desk,\nthe site is broken.\n",
        f'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n{body}'.encode(),
    )
    result = pipe(mail, data)
    assert result.outcome == "new"
    with mail.reading() as session:
        row = session.scalars(select(MailAttachment)).one()
        assert (row.filename, row.refused, row.data, row.size) == ("big.mp4", True, None, len(big))


def test_unreadable_bytes_are_quarantined_whole_then_retried(
    mail: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = b"\x00\x01 this is no mail at all"
    held = pipe(mail, garbage)
    assert (held.outcome, held.request) == ("quarantined", None) and held.quarantine
    assert pipe(mail, garbage).quarantine == held.quarantine  # held once per distinct bytes
    with mail.reading() as session:
        assert held_count(session) == 1
    # A message the store refused (a bug of ours, say) is quarantined too, then retried.
    from console.mail import intake

    real = intake.ingest_mail

    def refuse(*args: object, **kwargs: object) -> object:
        raise InvalidState("simulated refusal")

    monkeypatch.setattr(intake, "ingest_mail", refuse)
    refused = pipe(mail, "html_only.eml")
    assert refused.outcome == "quarantined" and "simulated refusal" in refused.reason
    monkeypatch.setattr(intake, "ingest_mail", real)
    retried = intake.retry(
        mail, refused.quarantine, now=NOW, service="intake", settings=intake.IntakeSettings()
    )
    assert retried.outcome == "new"
    with mail.reading() as session:
        assert held_count(session) == 1
    with pytest.raises(InvalidState, match="already released"):
        intake.retry(
            mail, refused.quarantine, now=NOW, service="intake", settings=intake.IntakeSettings()
        )
    assert pipe(mail, "html_only.eml").outcome == "duplicate"


def test_hostile_mail_never_raises(mail: Database) -> None:
    huge_header = message("x@evil.example", "A" * 2_000_000, message_id="<huge@x>")
    injected = message(
        "dmiller@springfield.example",
        "hi\r\nBcc: everyone@example.org\r\n\r\nX-Switchboard: 1",
        message_id="<inj@x>",
    )
    folded = b"From: \r\n\r\n" + b"Subject: no sender\r\n\r\nbody"
    nul_id = message("dmiller@springfield.example", "nul", message_id="<\x00@x>")
    seen = [pipe(mail, data) for data in (huge_header, injected, folded, nul_id, b"", b"\r\n\r\n")]
    assert all(r.outcome in {"new", "reply", "duplicate", "ignored", "quarantined"} for r in seen)
    assert seen[4].outcome == "quarantined"
    with mail.reading() as session:
        for result in seen:
            if result.request:
                view = queries.get_request(session, result.request)
                assert "\r" not in view.summary and "\n" not in view.summary
                assert len(view.summary) <= 2000


def test_a_message_without_message_id_is_a_duplicate_by_its_hash(mail: Database) -> None:
    data = raw("no_message_id.eml")
    first = pipe(mail, data)
    # The same mail by another route: another Received header on top.
    again = pipe(mail, b"Received: from relay2 by mx; Wed, 02 Dec 2026 15:00:00 +0000\r\n" + data)
    assert (first.outcome, again.outcome, again.request) == ("new", "duplicate", first.request)
    parsed = read_message(data, received_fallback=NOW)
    assert parsed.message_id.startswith("sha256:")  # type: ignore[union-attr]


def _mutated(name: str, data: st.DataObject) -> bytes:
    """A fixture with a few bytes overwritten, cut short or doubled."""
    message = bytearray(raw(name))
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(message) - 1))
        message[at] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        message = message[: data.draw(st.integers(0, len(message)))]
    return bytes(message)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000) | st.builds(_mutated, st.sampled_from(FIXTURES), st.data()))
def test_any_bytes_end_in_one_outcome(mail: Database, data: bytes) -> None:
    result = pipe(mail, data)
    assert result.outcome in {"new", "reply", "duplicate", "ignored", "quarantined"}
    if result.outcome in {"new", "reply"}:
        assert result.request is not None
    if result.outcome == "quarantined":
        assert result.request is None and result.quarantine is not None


def test_a_reply_to_our_own_message_id_joins_its_request(mail: Database) -> None:
    first = pipe(mail, message("dmiller@springfield.example", "Calendar", message_id="<o@x>"))
    ours = f"<sb-{first.request}-ack.1764590000@switchboard.example>"
    reply = pipe(
        mail,
        message(
            "dmiller@springfield.example",
            "Re: ack",
            message_id="<p@x>",
            extra=f"In-Reply-To: {ours}",
        ),
    )
    assert (reply.outcome, reply.request) == ("reply", first.request)
    stranger = pipe(
        mail,
        message(
            "chris.wu@shelbyville.example",
            "Re: ack",
            message_id="<q@x>",
            extra=f"References: {ours}",
        ),
    )
    assert stranger.outcome == "new" and stranger.request != first.request

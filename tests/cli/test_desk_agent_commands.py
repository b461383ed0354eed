"""The desk agents' commands: output as documented, and every kind of bad input gives one
line, a non-zero exit, and no change in the database, on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from console.cli import main
from console.store import commands as c
from console.store import queries
from console.store.db import Database

HUGE = "x" * 10_000_000
SQL = "x'; DROP TABLE requests; --"


@pytest.fixture
def agent_desk(desk: Database, rules, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The desk, with request 1 resolved and request 2 open and escalated to Customer Care,
    both logged in desk hours on Tuesday 17 November 2026 (before the real clock's now)."""
    now = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
    with desk.session() as session:
        first = c.log_email(session, "ari", now, rules, customer="Springfield", summary="one")
        c.resolve(session, "ari", now, request_id=first.id)
        c.log_email(session, "ari", now, rules, customer="Springfield", summary="two")
        c.escalate(session, "ari", now, request_id=2, kind="additional-services")
    url = desk.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", url)
    monkeypatch.delenv("SWITCHBOARD_USER", raising=False)
    return desk


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


BAD = [
    (
        ["ticket", "new", "--customer", "Nowhere", "--channel", "email", "--summary", "s"],
        "no customer 'Nowhere'",
    ),
    (["ticket", "new", "--customer", SQL, "--channel", "email", "--summary", "s"], "no customer"),
    (
        ["ticket", "new", "--customer", "1", "--channel", "email", "--summary", HUGE],
        "summary is too long",
    ),
    (
        ["ticket", "new", "--customer", "1", "--channel", "email", "--summary", "a\x1bb"],
        "control character (U+001B)",
    ),
    (
        [
            "ticket",
            "new",
            "--customer",
            "1",
            "--channel",
            "email",
            "--summary",
            "s",
            "--received",
            "noon",
        ],
        "cannot read 'noon'",
    ),
    (["ticket", "new", "--customer", "1", "--channel", "fax", "--summary", "s"], "'fax'"),
    (
        [
            "ticket",
            "new",
            "--customer",
            "1",
            "--channel",
            "email",
            "--summary",
            "s",
            "--contact",
            "Nobody",
        ],
        "no contact 'Nobody'",
    ),
    (["ticket", "assign", "2", "--to", "abe"], "ari is an agent; assigning requests needs"),
    (["ticket", "assign", "two", "--to", "abe"], "'two' is not a valid integer"),
    (["ticket", "respond", "2", "--at", "soon"], "cannot read 'soon'"),
    (["ticket", "respond", "1"], "request 1 is resolved"),
    (["ticket", "escalate", "1", "--kind", "product"], "request 1 is resolved"),
    (["ticket", "escalate", "2", "--kind", "other"], "needs a named person"),
    (["ticket", "escalate", "2", "--kind", "product"], "already escalated"),
    (["ticket", "work", "2", "--from", "x", "--to", "y"], "--from: cannot read 'x'"),
    (
        ["ticket", "work", "2", "--from", "2026-11-20T10:00", "--to", "2026-11-20T09:00"],
        "work must end after it starts",
    ),
    (
        [
            "ticket",
            "work",
            "2",
            "--from",
            "2026-11-20T09:00",
            "--to",
            "2026-11-20T10:00",
            "--note",
            HUGE,
        ],
        "note is too long",
    ),
    (["ticket", "notice", "2", "--method", "phone", "--at", "bogus"], "cannot read 'bogus'"),
    (
        ["ticket", "notice", "2", "--method", "phone", "--by", "nobody"],
        "no active staff member to give notice with handle 'nobody'",
    ),
    (["ticket", "decline", "2"], "only one that needs a billing notice"),
    (["ticket", "resolve", "1"], "request 1 is resolved: cannot resolve it"),
    (["ticket", "reopen", "2"], "request 2 is open: only a resolved one can reopen"),
    (["ticket", "show", "999"], "no request 999"),
    (["ticket", "list", "--customer", SQL], "no customer"),
    (["escalation", "reassign", "2", "--to", "abe"], "ari is an agent"),
    (["escalation", "priority", "2", "3"], "ari is an agent"),
    (["presence", "set", "ghost", "away"], "no active staff member with handle 'ghost'"),
    (["roster", "add", "abe", "--duty", "--from", "9am", "--to", "5pm"], "cannot read '9am'"),
    (
        ["roster", "add", "abe", "--from", "2026-12-01T09:00", "--to", "2026-12-01T17:00"],
        "--duty or --on-call",
    ),
    (
        ["staff", "add", SQL, "--name", "n", "--role", "agent", "--department", "desk"],
        "is not 1 to 32 of a-z",
    ),
    (
        ["staff", "add", "zed", "--name", "Zed", "--role", "agent", "--department", "desk"],
        "ari is an agent",
    ),
    (["customer", "add", "Ogdenville", "--liaison", "ghost"], "ari is an agent"),
    (
        ["customer", "add", "Ogdenville", "--liaison", "abe", "--next-checkin", "soon"],
        "cannot read 'soon' as a date",
    ),
    (["contact", "add", "Springfield", "Ned", "--designated"], "designating an emergency"),
]


@pytest.mark.parametrize(("args", "fragment"), BAD, ids=lambda v: str(v)[:40])
def test_bad_input_as_an_agent(agent_desk, fingerprint_of, capsys, args, fragment) -> None:
    before = fingerprint_of(agent_desk)
    code, out, err = run(capsys, *args, "--as", "ari")
    assert code != 0
    assert err.startswith("switchboard: ") and err.count("\n") == 1, err[:300]
    assert fragment in err
    assert len(err) < 500
    assert out == ""
    assert fingerprint_of(agent_desk) == before


LEAD_BAD = [
    (["escalation", "reassign", "999", "--to", "abe"], "no request 999"),
    (["escalation", "reassign", "1", "--to", "abe"], "request 1 has no open escalation"),
    (["escalation", "priority", "1", "1"], "request 1 has no open escalation"),
    (["ticket", "assign", "999", "--to", "abe"], "no request 999"),
    (["ticket", "assign", "2", "--to", SQL], "no active assignee"),
    (["ticket", "assign", "2", "--to", "ghost"], "no active assignee with handle 'ghost'"),
    (
        ["staff", "add", "zed", "--name", HUGE, "--role", "agent", "--department", "desk"],
        "name is too long",
    ),
    (
        ["staff", "add", "ari", "--name", "A", "--role", "agent", "--department", "desk"],
        "already exists",
    ),
    (["customer", "add", "Ogdenville", "--liaison", "ghost"], "no active liaison"),
    (["customer", "add", "Ogden\x00ville", "--liaison", "ari"], "control character (U+0000)"),
    (["contact", "add", "Nowhere", "Ned"], "no customer 'Nowhere'"),
    (["contact", "add", "Springfield", "Ned\x07"], "control character (U+0007)"),
    (["contact", "add", "Springfield", "Ned", "--email", "not-an-address"], "not an address"),
    (["escalation", "reassign", "2", "--destination", "technical"], "needs a reason"),
    (["escalation", "priority", "2", "3"], "technical leads"),
    (["ticket", "assign", "2", "--to", "ghost"], "no active assignee"),
]


@pytest.mark.parametrize(("args", "fragment"), LEAD_BAD, ids=lambda v: str(v)[:40])
def test_bad_input_as_a_lead(agent_desk, fingerprint_of, capsys, args, fragment) -> None:
    before = fingerprint_of(agent_desk)
    code, _, err = run(capsys, *args, "--as", "lena")
    assert code != 0
    assert err.startswith("switchboard: ") and err.count("\n") == 1, err[:300]
    assert fragment in err
    assert fingerprint_of(agent_desk) == before


def test_unknown_actor_is_refused(agent_desk, fingerprint_of, capsys, monkeypatch) -> None:
    before = fingerprint_of(agent_desk)
    monkeypatch.setenv("SWITCHBOARD_USER", "ghost")
    code, _, err = run(capsys, "ticket", "resolve", "2")
    assert code != 0 and "no active acting staff member with handle 'ghost'" in err
    assert fingerprint_of(agent_desk) == before


def test_new_and_show_print_the_documented_json(agent_desk, capsys) -> None:
    code, out, err = run(capsys, "ticket", "new", "--customer", "Springfield", "--channel",
                         "portal", "--summary", SQL, "--contact", "Mayor Quimby", "--as", "ari",
                         "--json")  # fmt: skip
    assert code == 0, err
    created = json.loads(out)
    for key in ("id", "customer", "channel", "status", "emergency", "received_at", "due_at",
                "billing_state"):  # fmt: skip
        assert key in created
    assert (created["customer"], created["channel"], created["summary"]) == (
        "Springfield", "portal", SQL)  # fmt: skip
    received = datetime.fromisoformat(created["received_at"])
    assert received.utcoffset() in (timedelta(hours=-6), timedelta(hours=-5))
    code, out, _ = run(capsys, "ticket", "respond", str(created["id"]), "--as", "ari")
    assert code == 0
    code, out, _ = run(capsys, "ticket", "show", str(created["id"]), "--json")
    shown = json.loads(out)
    assert [e["kind"] for e in shown["events"]] == ["request.logged", "request.responded"]
    assert set(shown["events"][0]) >= {"id", "kind", "at", "actor"}
    assert shown["events"][1]["actor"] == "ari"
    assert shown["timer"]["state"] == "met"
    code, out, _ = run(capsys, "ticket", "list", "--open", "--json")
    assert created["id"] in [r["id"] for r in json.loads(out)]


def test_the_first_staff_add_bootstraps(database: Database, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL",
                       database.engine.url.render_as_string(hide_password=False))  # fmt: skip
    code, out, err = run(capsys, "staff", "add", "ann", "--name", "Ann", "--role", "lead",
                         "--department", "desk", "--as", "whoever", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["handle"] == "ann"
    code, _, err = run(capsys, "staff", "add", "bob", "--name", "Bob", "--role", "agent",
                       "--department", "desk", "--as", "whoever")  # fmt: skip
    assert code != 0 and "no active acting staff member with handle 'whoever'" in err


def test_priority_moves_the_others_and_past_the_end_means_last(
    agent_desk, rules, fingerprint_of, capsys
) -> None:
    now = datetime(2026, 11, 17, 17, 0, tzinfo=UTC)
    with agent_desk.session() as session:
        for summary in ("three", "four"):
            logged = c.log_email(
                session, "ari", now, rules, customer="Springfield", summary=summary
            )
            c.escalate(session, "ari", now, request_id=logged.id, kind="product")
    # Requests 3 and 4 hold escalations 2 and 3: the command takes the request's number.
    code, out, err = run(capsys, "escalation", "priority", "4", "1", "--as", "tess")
    assert (code, out, err) == (0, "request 4: technical priority 1\n", "")
    code, out, _ = run(capsys, "escalation", "priority", "4", "50", "--as", "tess", "--json")
    assert code == 0 and json.loads(out)["technical_priority"] == 2
    before = fingerprint_of(agent_desk)
    for args, fragment in [
        (["4", "0"], "position must be 1 (first) to 10000: the technical order holds 2, so 2"),
        (["2", "1"], "the escalation of request 2 goes to customer-care, not technical"),
    ]:
        code, out, err = run(capsys, "escalation", "priority", *args, "--as", "tess")
        assert code != 0 and out == "" and err.count("\n") == 1
        assert err.startswith("switchboard: ") and fragment in err, err
    assert fingerprint_of(agent_desk) == before


def test_an_escalation_is_named_by_its_request(agent_desk, fingerprint_of, capsys) -> None:
    """Request 2 holds escalation 1: `escalation reassign 1` once moved request 2's."""
    before = fingerprint_of(agent_desk)
    code, out, err = run(capsys, "escalation", "reassign", "1", "--to", "abe", "--as", "lena")
    assert code == 1 and out == "" and "request 1 has no open escalation" in err
    assert fingerprint_of(agent_desk) == before
    code, out, err = run(capsys, "escalation", "reassign", "2", "--to", "abe", "--as", "lena")
    assert (code, out, err) == (0, "request 2: escalated to customer-care (abe)\n", "")
    with agent_desk.session() as session:
        assert [e.assignee for e in queries.request_escalations(session, 2)] == ["abe"]


def test_escalate_points_to_the_reassign_command(agent_desk, capsys) -> None:
    code, _, err = run(capsys, "ticket", "escalate", "2", "--kind", "product", "--as", "ari")
    assert code == 1
    assert "already escalated: a lead can reassign it (switchboard escalation reassign 2)" in err

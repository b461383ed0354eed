"""`switchboard report ...`: tables, CSV a spreadsheet opens (header row, ISO times with
the desk's offset, plain numbers) and JSON, on both databases; bad input is one line."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from console.cli import main
from console.clock import SystemClock
from console.store import commands as c
from console.store.db import Database
from tests.store.test_reports import ct, friday_voicemail, saturday_voicemail

#: Monday 7 December 2026, 12:00 in Chicago: the CLI's clock in these tests.
MONDAY_NOON = ct(2026, 12, 7, 12)
CST = timedelta(hours=-6)


@pytest.fixture
def report_desk(desk: Database, rules, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The desk with the Saturday-night and Friday-evening billing scenarios, a breached
    e-mail, and the CLI's clock frozen at Monday noon."""
    saturday_voicemail(desk, rules)
    friday_voicemail(desk, rules)
    with desk.session() as s:
        late = c.log_email(
            s, "ari", ct(2026, 11, 30, 9), rules, customer="Shelbyville", summary="late"
        )
        c.respond(s, "ari", ct(2026, 11, 30, 14), request_id=late.id)
        friday_19 = ct(2026, 12, 4, 19)
        c.add_shift(
            s,
            "dora",
            friday_19,
            staff="abe",
            kind="on-call",
            starts_at=ct(2026, 12, 7, 19),
            ends_at=ct(2026, 12, 8, 7),
        )
    monkeypatch.setenv(
        "SWITCHBOARD_DATABASE_URL", desk.engine.url.render_as_string(hide_password=False)
    )
    monkeypatch.delenv("SWITCHBOARD_USER", raising=False)
    monkeypatch.setattr(SystemClock, "now", lambda self: MONDAY_NOON)
    return desk


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_billing_csv_opens_in_a_spreadsheet(report_desk, capsys) -> None:
    code, out, err = run(
        capsys, "report", "billing", "--from", "2026-11-01", "--to", "2026-12-31", "--csv"
    )
    assert code == 0, err
    rows = rows_of(out)
    assert [
        (r["customer"], r["billable_minutes"], r["hourly_rates"], r["amount"]) for r in rows
    ] == [
        ("Shelbyville", "30", "200.00", "100.00"),
        ("Springfield", "90", "200.00", "300.00"),
    ]
    notice = datetime.fromisoformat(rows[1]["notice_at"])
    assert notice.utcoffset() == CST and notice == ct(2026, 11, 28, 22, 40)
    assert datetime.fromisoformat(rows[1]["received_at"]) == ct(2026, 11, 28, 22)
    assert sum(float(r["amount"]) for r in rows) == 400.0


def test_billing_json_and_table_carry_the_totals(report_desk, capsys) -> None:
    args = ["report", "billing", "--from", "2026-11-28", "--to", "2026-11-29"]
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["amount"], data["billable_minutes"]) == ("300.00", 90)
    assert data["period"]["start"] == "2026-11-28T00:00:00-06:00"
    (customer,) = data["customers"]
    assert customer["requests"][0]["rates"] == [{"hourly": "200.00", "minutes": 90}]
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "Springfield" in out and "300.00" in out and "Total: 90 min, $300.00" in out
    code, out, _ = run(capsys, *args, "--customer", "Shelbyville", "--json")
    assert json.loads(out)["customers"] == []


def test_sla_csv_json_and_breaches(report_desk, capsys) -> None:
    args = ["report", "sla", "--from", "2026-11-28", "--to", "2026-12-06"]
    code, out, err = run(capsys, *args, "--csv")
    assert code == 0, err
    rows = {(r["group"], r["name"]): r for r in rows_of(out)}
    email = rows["channel", "email"]
    assert (email["requests"], email["met"], email["breached"]) == ("1", "0", "1")
    assert email["compliance_pct"] == "0"
    # The two voicemails were never answered: both breached by Monday noon.
    assert rows["channel", "voicemail"]["breached"] == "2"
    assert rows["channel", "voicemail"]["median_minutes"] == ""
    assert rows["all", "all"]["requests"] == "3"
    code, out, err = run(capsys, *args, "--csv", "--breaches")
    assert code == 0, err
    breaches = rows_of(out)
    assert len(breaches) == 3
    late = next(b for b in breaches if b["channel"] == "email")
    assert late["overdue_minutes"] == "60" and late["clock"] == "business"
    assert datetime.fromisoformat(late["due_at"]).utcoffset() == CST
    code, out, _ = run(capsys, *args, "--json")
    data = json.loads(out)
    assert data["total"]["breached"] == 3 and data["at"] == "2026-12-07T12:00:00-06:00"
    code, out, _ = run(capsys, *args)
    assert "Breaches: 3" in out and "compliance %" in out


def test_coverage_csv_and_json(report_desk, capsys) -> None:
    code, out, err = run(capsys, "report", "coverage", "--days", "2", "--csv")
    assert code == 0, err
    rows = rows_of(out)
    # Monday 19:00 to Tuesday 07:00 abe is on call; Tuesday 19:00 to Wednesday 07:00 not.
    assert [(r["item"], r["start"], r["end"], r["minutes"]) for r in rows] == [
        ("gap", "2026-12-08T19:00:00-06:00", "2026-12-09T07:00:00-06:00", "720"),
    ]
    code, out, _ = run(capsys, "report", "coverage", "--days", "2", "--json")
    data = json.loads(out)
    assert data["from"] == "2026-12-07T12:00:00-06:00" and data["overlaps"] == []
    code, out, _ = run(capsys, "report", "coverage", "--days", "2")
    assert "1 on-call gaps" in out and "720" in out


BAD = [
    (
        ["billing", "--from", "2026-12-05", "--to", "2026-12-01"],
        "--from 2026-12-05 is after --to 2026-12-01",
    ),
    (["billing", "--from", "yesterday", "--to", "2026-12-01"], "--from: cannot read 'yesterday'"),
    (["billing", "--from", "2026-12-01", "--to", "2026-02-30"], "--to: cannot read '2026-02-30'"),
    (
        ["billing", "--from", "2026-12-01", "--to", "2026-12-02", "--customer", "Nowhere"],
        "no customer 'Nowhere'",
    ),
    (["billing", "--from", "2026-12-01", "--to", "2026-12-02", "--csv", "--json"], "choose one"),
    (["sla", "--from", "2020-01-01", "--to", "2026-12-02"], "longer than 366 days"),
    (["sla", "--from", "2026-12-01"], "Missing option '--to'"),
    (["coverage", "--days", "0"], "0 is not in the range"),
    (["coverage", "--days", "many"], "'many' is not a valid integer"),
]


@pytest.mark.parametrize(("args", "fragment"), BAD, ids=lambda v: str(v)[:40])
def test_bad_input_is_one_line(report_desk, fingerprint_of, capsys, args, fragment) -> None:
    before = fingerprint_of(report_desk)
    code, out, err = run(capsys, "report", *args)
    assert code != 0
    assert err.startswith("switchboard: ") and err.count("\n") == 1, err[:300]
    assert fragment in err
    assert out == ""
    assert fingerprint_of(report_desk) == before


def test_the_frozen_clock_is_the_one_the_cli_reads(report_desk) -> None:
    assert SystemClock().now() == MONDAY_NOON.astimezone(UTC)


# -- follow-ups --------------------------------------------------------------------------


def test_followup_done_sets_the_next_check_in(report_desk, capsys) -> None:
    code, out, err = run(capsys, "followup", "done", "Springfield", "--as", "ari")
    assert code == 0, err
    assert out == "customer 1: Springfield checked in by ari, next check-in 2027-01-06\n"
    code, out, err = run(
        capsys, "followup", "done", "2", "--next", "2027-02-01", "--as", "abe", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert (data["customer"], data["next_check_in"], data["by"]) == (
        "Shelbyville",
        "2027-02-01",
        "abe",
    )
    assert data["checked_in_at"] == "2026-12-07T12:00:00-06:00"


def test_followup_default_comes_from_the_settings(report_desk, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_FOLLOWUPS__DEFAULT_DAYS", "14")
    code, out, err = run(capsys, "followup", "done", "Springfield", "--as", "ari")
    assert code == 0, err
    assert out.endswith("next check-in 2026-12-21\n")  # 14 days after Monday 7 December


FOLLOWUP_BAD = [
    (["Nowhere"], "no customer 'Nowhere'"),
    (["Springfield", "--next", "soon"], "--next: cannot read 'soon' as a date"),
    (["Springfield", "--next", "2026-12-07"], "is not after today (2026-12-07)"),
    (["Springfield", "--as", "ghost"], "no active acting staff member with handle 'ghost'"),
]


@pytest.mark.parametrize(("args", "fragment"), FOLLOWUP_BAD, ids=lambda v: str(v)[:40])
def test_followup_bad_input_is_one_line(report_desk, fingerprint_of, capsys, args, fragment):
    before = fingerprint_of(report_desk)
    code, out, err = run(
        capsys, "followup", "done", *args, *(["--as", "ari"] * ("--as" not in args))
    )
    assert code != 0
    assert err.startswith("switchboard: ") and err.count("\n") == 1, err[:300]
    assert fragment in err and out == ""
    assert fingerprint_of(report_desk) == before


# -- emergencies -------------------------------------------------------------------------


@pytest.fixture
def unverified(report_desk, rules) -> int:
    """A Sunday-night emergency from Clerk Smithers, who is not designated."""
    with report_desk.session() as s:
        view = c.log_voicemail(
            s,
            "ari",
            ct(2026, 12, 6, 23),
            rules,
            customer="Springfield",
            contact="Clerk Smithers",
            summary="down",
            emergency=True,
        )
    assert view.emergency_unverified
    return view.id


def test_ticket_verify_and_downgrade(report_desk, unverified, capsys) -> None:
    code, out, err = run(
        capsys, "ticket", "verify", str(unverified), "--contact", "Mayor Quimby", "--as", "dora"
    )
    assert code == 0, err
    assert out == f"request {unverified}: emergency verified with Mayor Quimby\n"
    code, out, err = run(capsys, "ticket", "downgrade", str(unverified), "--as", "lena", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["emergency"], data["billing_state"]) == (False, "needs-notice")
    assert data["due_at"] == "2026-12-07T11:00:00-06:00"  # Monday 07:00 + 4 business hours
    code, out, _ = run(capsys, "ticket", "show", str(unverified), "--json")
    kinds = [e["kind"] for e in json.loads(out)["events"]]
    assert kinds[-2:] == ["request.emergency-verified", "request.emergency-downgraded"]


EMERGENCY_BAD = [
    (
        ["verify", "{id}", "--contact", "Mayor Quimby", "--as", "ari"],
        "verifying emergencies needs a dispatcher or lead",
    ),
    (
        ["verify", "{id}", "--contact", "Clerk Smithers", "--as", "dora"],
        "not a designated emergency contact of Springfield (designated: Mayor Quimby)",
    ),
    (["verify", "{id}", "--contact", "Nobody", "--as", "dora"], "no contact 'Nobody'"),
    (["verify", "{id}", "--as", "dora"], "Missing option '--contact'"),
    (["verify", "one", "--contact", "x", "--as", "dora"], "'one' is not a valid integer"),
    (["downgrade", "1", "--as", "dora"], "request 1 is not an emergency"),
    (["downgrade", "999", "--as", "dora"], "no request 999"),
    (["downgrade", "{id}", "--as", "abe"], "downgrading emergencies needs"),
]


@pytest.mark.parametrize(("args", "fragment"), EMERGENCY_BAD, ids=lambda v: str(v)[:40])
def test_emergency_bad_input_is_one_line(
    report_desk, unverified, fingerprint_of, capsys, args, fragment
) -> None:
    before = fingerprint_of(report_desk)
    code, out, err = run(capsys, "ticket", *(a.format(id=unverified) for a in args))
    assert code != 0
    assert err.startswith("switchboard: ") and err.count("\n") == 1, err[:300]
    assert fragment in err and out == ""
    assert fingerprint_of(report_desk) == before

"""`staff|customer|contact|roster list`, suggestions for a name that matches nothing, and
agents adding callers as contacts (only leads designate emergency contacts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from console.cli import main
from console.store import commands as c
from console.store.commands.base import did_you_mean
from console.store.db import Database


@pytest.fixture
def cli_desk(desk: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setenv(
        "SWITCHBOARD_DATABASE_URL", desk.engine.url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("SWITCHBOARD_USER", "ari")
    return desk


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_staff_list_names_everyone_with_role_and_presence(cli_desk, capsys) -> None:
    code, out, err = run(capsys, "staff", "list")
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["abe", "ari", "cara", "dora", "lena", "tess"]
    assert "lead" in lines[-1] and "technical" in lines[-1]
    code, out, _ = run(capsys, "staff", "list", "--json")
    rows = json.loads(out)
    assert rows[0] == {
        "handle": "abe",
        "name": "Abe",
        "role": "agent",
        "department": "desk",
        "presence": None,
        "presence_since": None,
    }


def test_customer_and_contact_lists(cli_desk, capsys) -> None:
    code, out, _ = run(capsys, "customer", "list", "--json")
    assert code == 0
    by_name = {row["municipality"]: row for row in json.loads(out)}
    assert by_name["Springfield"]["liaison"] == "ari"
    assert by_name["Springfield"]["contacts"] == 2
    code, out, _ = run(capsys, "contact", "list", "--customer", "springfield")
    assert code == 0
    assert "★ Springfield: Mayor Quimby" in out and "Clerk Smithers" in out
    assert "Hooper" not in out
    code, out, _ = run(capsys, "contact", "list", "--designated", "--json")
    assert {row["name"] for row in json.loads(out)} == {"Mayor Quimby", "Mayor Hooper"}


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("Springfeld", "; did you mean Springfield?"),
        ("spring", "; did you mean Springfield?"),
        ("Shelby", "; did you mean Shelbyville?"),
        ("Ogdenville", ""),
    ],
)
def test_a_customer_that_matches_nothing_suggests_close_names(
    cli_desk, fingerprint_of, capsys, typed, suggested
) -> None:
    before = fingerprint_of(cli_desk)
    for args in (
        ["contact", "list", "--customer", typed],
        ["ticket", "new", "--customer", typed, "--channel", "email", "--summary", "s"],
        ["ticket", "list", "--customer", typed],
    ):
        code, out, err = run(capsys, *args)
        assert (code, out) == (1, "")
        assert err == f"switchboard: no customer {typed!r}{suggested}\n"
    assert fingerprint_of(cli_desk) == before


def test_did_you_mean() -> None:
    names = ["City of Fargo, ND", "Fargo County", "Village of Glen Ellyn, IL", "City of Edina"]
    assert did_you_mean("Fargo", names) == "; did you mean Fargo County or City of Fargo, ND?"
    assert did_you_mean("glen elyn", names) == "; did you mean Village of Glen Ellyn, IL?"
    assert did_you_mean("Edna", names) == "; did you mean City of Edina?"
    assert did_you_mean("of", names) == ""  # too short to hold anything meaningful
    assert did_you_mean("", names) == ""
    assert did_you_mean("x\x1b[2J", ["x\x1b[2Jy"]) == "; did you mean x\\x1b[2Jy?"


def test_a_misspelt_handle_suggests_the_close_ones(cli_desk, capsys) -> None:
    code, _, err = run(capsys, "presence", "set", "tes", "away", "--as", "dora")
    assert code == 1 and "no active staff member with handle 'tes'; did you mean tess?" in err


def test_an_agent_adds_a_caller_but_only_a_lead_designates(
    cli_desk, fingerprint_of, capsys
) -> None:
    code, out, err = run(capsys, "contact", "add", "Springfield", "Ned Flanders",
                         "--phone", "555-0199", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["designated_for_emergencies"] is False
    before = fingerprint_of(cli_desk)
    code, out, err = run(capsys, "contact", "add", "Springfield", "Moe", "--designated")
    assert (code, out) == (1, "")
    assert "ari is an agent; designating an emergency contact needs a lead" in err
    assert fingerprint_of(cli_desk) == before
    code, out, err = run(capsys, "contact", "add", "Springfield", "Moe", "--designated",
                         "--as", "lena")  # fmt: skip
    assert code == 0 and "(designated for emergencies)" in out, err


def test_roster_list_shows_the_shifts_in_a_span(cli_desk, capsys) -> None:
    start = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # Tuesday 07:00 in Chicago
    with cli_desk.session() as session:
        c.add_shift(session, "lena", start, staff="abe", kind="duty", starts_at=start,
                    ends_at=start.replace(hour=21))  # fmt: skip
        c.add_shift(session, "lena", start, staff="tess", kind="on-call",
                    starts_at=start.replace(day=5), ends_at=start.replace(day=6))  # fmt: skip
    code, out, err = run(capsys, "roster", "list", "--from", "2026-12-01T00:00",
                         "--to", "2026-12-02T00:00")  # fmt: skip
    assert code == 0, err
    assert out.split() == ["1", "duty", "abe", "2026-12-01T07:00:00-06:00", "to",
                           "2026-12-01T15:00:00-06:00"]  # fmt: skip
    code, out, _ = run(capsys, "roster", "list", "--from", "2026-12-01T00:00", "--json",
                       "--staff", "tess")  # fmt: skip
    assert [row["kind"] for row in json.loads(out)] == ["on-call"]
    code, _, err = run(capsys, "roster", "list", "--staff", "tesss")
    assert code == 1 and "did you mean tess?" in err

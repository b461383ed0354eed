"""The escalation policy as pure code: its section, who each step pages, what a page says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.paging import (
    DESK_LEAD,
    NEXT_ON_CALL,
    REPEAT,
    EmergencyFacts,
    Handoff,
    PagingError,
    PagingRules,
    Reach,
    first_targets,
    handoff_text,
    normalise_section,
    page_text,
    retry_delay,
    step_targets,
)
from console.domain.policy import Policy, PolicyError, normalise, set_paging_steps

AT = datetime(2026, 12, 3, 9, 10, tzinfo=UTC)


def test_the_defaults_are_ten_minutes_then_again_next_on_call_desk_lead() -> None:
    rules = Policy.defaults().paging
    assert rules.ack_timeout == timedelta(minutes=10)
    assert rules.steps == (REPEAT, NEXT_ON_CALL, DESK_LEAD)
    assert rules.next_due(AT) == AT + timedelta(minutes=10)
    assert [rules.step_kind(n) for n in (1, 2, 3, 4, 9)] == [
        REPEAT,
        NEXT_ON_CALL,
        DESK_LEAD,
        DESK_LEAD,
        DESK_LEAD,
    ]


def test_a_document_from_before_paging_runs_on_the_defaults() -> None:
    old = {k: v for k, v in normalise({}).items() if k != "paging"}
    assert Policy(old).paging == PagingRules.defaults()
    assert normalise(old)["paging"] == {
        "ack_timeout_minutes": 10,
        "steps": list(PagingRules.defaults().steps),
    }


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"ack_timeout_minutes": 0}, "paging.ack_timeout_minutes: 0 is not whole minutes"),
        ({"ack_timeout_minutes": True}, "paging.ack_timeout_minutes"),
        ({"steps": []}, "paging.steps: must be a list of 1 to 10"),
        ({"steps": ["repeat", "phone-home"]}, "paging.steps[1]: 'phone-home'"),
        ({"wait": 3}, "unknown key 'paging.wait'"),
    ],
)
def test_a_bad_section_names_the_key(section: dict, message: str) -> None:
    with pytest.raises(PagingError, match=message.replace("[", r"\[").replace("]", r"\]")):
        normalise_section(section)
    with pytest.raises(PolicyError):
        normalise({"paging": section})


def test_an_edit_returns_a_whole_valid_document() -> None:
    new = set_paging_steps(normalise({}), ["desk-lead"])
    assert Policy(new).paging.steps == (DESK_LEAD,)


NIGHT = Reach(desk_open=False, on_call_now=("ari",), on_call_next="abe", desk_leads=("lena",))


def test_first_targets_follow_the_issue() -> None:
    assert first_targets(Reach(desk_open=False, assignee="bo", on_call_now=("ari",))) == ("bo",)
    assert first_targets(NIGHT) == ("ari",)
    day = Reach(desk_open=True, on_call_now=("ari",), on_duty_leads=("dora", "lena"))
    assert first_targets(day) == ("dora", "lena")
    # NOBODY ON CALL, nobody on duty: the desk lead
    assert first_targets(Reach(desk_open=False, desk_leads=("lena",))) == ("lena",)
    assert first_targets(Reach(desk_open=True, desk_leads=("lena",))) == ("lena",)


def test_each_step_pages_whom_the_policy_says() -> None:
    assert step_targets(REPEAT, NIGHT, ["ari"]) == ("ari",)
    assert step_targets(NEXT_ON_CALL, NIGHT, ["ari"]) == ("abe",)
    assert step_targets(DESK_LEAD, NIGHT, ["abe"]) == ("lena",)
    # the next on call is the one already paged, or nobody: the desk lead instead
    assert step_targets(NEXT_ON_CALL, NIGHT, ["abe"]) == ("lena",)
    assert step_targets(NEXT_ON_CALL, Reach(False, desk_leads=("lena",)), []) == ("lena",)


FACTS = EmergencyFacts(
    request_id=249,
    customer="Fargo",
    summary="website\ndown\x1b[2J",
    verified=False,
    designated=(("Mayor Quimby", "555-0100"), ("Ms Hoover", None)),
    received_local="Thu 2026-12-03 03:10 CST",
)


def test_the_first_line_says_what_it_is_and_how_to_acknowledge() -> None:
    subject, body = page_text(FACTS, 0, "switchboard page ack 249 --as ari")
    assert subject == (
        "EMERGENCY request 249 Fargo: UNVERIFIED: call back a designated contact: "
        "Mayor Quimby 555-0100; Ms Hoover (no phone). Ack: switchboard page ack 249 --as ari"
    )
    assert body.splitlines()[0] == subject
    verified, _ = page_text(
        EmergencyFacts(1, "Fargo", "down", True, (), "now"), 2, "switchboard page ack 1"
    )
    assert verified.startswith("EMERGENCY request 1 Fargo: verified. Ack:")


@given(st.text(max_size=300), st.text(max_size=300))
def test_the_first_line_is_one_line_whatever_the_names(customer: str, summary: str) -> None:
    facts = EmergencyFacts(7, customer, summary, True, ((customer, summary),), "x")
    subject, _ = page_text(facts, 1, "ack")
    assert "\n" not in subject and "\r" not in subject


def test_a_handoff_lists_emergencies_billing_and_gaps() -> None:
    handoff = Handoff(
        "ari", "abe", ((3, "Fargo", "down"),), ((4, "Minot"),), (("Sat 19:00", "Sun 07:00"),)
    )
    subject, body = handoff_text(handoff, "switchboard page ack --page 9")
    assert subject.startswith("HANDOFF on call ari -> abe: 1 open emergencies, 1 need a billing")
    assert "  3 Fargo: down" in body and "  4 Minot" in body and "Sat 19:00 to Sun 07:00" in body
    assert handoff_text(Handoff("ari", None, (), (), ()), "x")[0].startswith(
        "HANDOFF on call ari -> NOBODY ON CALL"
    )


def test_backoff_doubles_up_to_the_cap() -> None:
    base, cap = timedelta(seconds=30), timedelta(minutes=5)
    assert [retry_delay(n, base, cap).total_seconds() for n in range(1, 7)] == [
        30,
        60,
        120,
        240,
        300,
        300,
    ]
    assert retry_delay(10_000, base, cap) == cap

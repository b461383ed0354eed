"""A lost race reads, on the command line, in the desk's words and time: one line."""

from __future__ import annotations

from datetime import timedelta

import click
import pytest

from console.cli.common import Context, UserError
from console.cli.store_access import conflict_line, store_errors
from console.clock import FrozenClock
from console.store.errors import ConflictError
from tests.conftest import NOW

# NOW is Wednesday 2 December 2026, 10:00 in Chicago.
CHANGED = NOW + timedelta(hours=4, minutes=2)


def test_a_conflict_names_the_request_customer_person_and_desk_time() -> None:
    error = ConflictError("request", 249, "lena", CHANGED, 4, request_id=249, customer="Fargo")
    ctx = Context(clock=FrozenClock(CHANGED + timedelta(minutes=1)))
    assert conflict_line(error, ctx) == (
        "request 249 (Fargo) was changed by lena at 14:02 CT (now version 4): "
        "look at it again (switchboard ticket show 249) and retry"
    )


def test_an_escalation_conflict_from_another_day_and_a_hostile_customer_stay_one_line() -> None:
    error = ConflictError(
        "escalation", 32, None, CHANGED, 7, request_id=249, customer="Far\ngo\x1b[2J"
    )
    line = conflict_line(error, Context(clock=FrozenClock(CHANGED + timedelta(days=1))))
    assert line == (
        "the escalation of request 249 (Far go\\x1b[2J) was changed by someone at "
        "Wed 14:02 CT (now version 7): look at it again (switchboard ticket show 249) "
        "and retry"
    )


def test_store_errors_words_a_conflict_with_the_commands_context() -> None:
    error = ConflictError("request", 3, "dora", CHANGED, 2, request_id=3, customer="Springfield")
    ctx = Context(clock=FrozenClock(CHANGED))
    with (
        click.Context(click.Command("x"), obj=ctx),
        pytest.raises(UserError) as caught,
        store_errors(),
    ):
        raise error
    assert caught.value.message == (
        "request 3 (Springfield) was changed by dora at 14:02 CT (now version 2): "
        "look at it again (switchboard ticket show 3) and retry"
    )

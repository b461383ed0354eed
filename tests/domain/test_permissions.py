"""Who may do what, as the console shows it (POLICY.md section 8)."""

from __future__ import annotations

import pytest

from console.domain.permissions import Action, refusal


@pytest.mark.parametrize(
    ("role", "department", "allowed"),
    [
        ("agent", "desk", {Action.ESCALATE}),
        ("dispatcher", "desk", {Action.ESCALATE, Action.ASSIGN}),
        ("lead", "desk", {Action.ESCALATE, Action.ASSIGN, Action.REASSIGN, Action.MOVE}),
        ("lead", "technical", set(Action)),
        (None, None, set()),
    ],
)
def test_each_role_may_do_its_own_and_lower_actions(role, department, allowed) -> None:
    for action in Action:
        reason = refusal(role, department, action)
        assert (reason is None) is (action in allowed), (role, action)
        if reason is not None:
            assert "\n" not in reason and reason

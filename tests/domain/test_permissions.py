"""Who may do what, as the console shows it (POLICY.md section 8)."""

from __future__ import annotations

import pytest

from console.domain.permissions import Action, refusal

#: Every desk role records billing notices and declines and acknowledges pages;
#: dispatchers and up settle unverified emergencies and attach triage mail to customers.
DESK = {Action.NOTICE, Action.DECLINE, Action.ACK_PAGE}
#: ...and every desk role works requests in the console (issue 18).
DESK |= {
    Action.LOG_REQUEST,
    Action.RESPOND,
    Action.NOTE,
    Action.LOG_WORK,
    Action.RESOLVE,
    Action.REOPEN,
}
DISPATCH = {Action.VERIFY, Action.DOWNGRADE, Action.ATTACH}


@pytest.mark.parametrize(
    ("role", "department", "allowed"),
    [
        ("agent", "desk", {Action.ESCALATE, *DESK}),
        ("dispatcher", "desk", {Action.ESCALATE, Action.ASSIGN, *DESK, *DISPATCH}),
        (
            "lead",
            "desk",
            {Action.ESCALATE, Action.ASSIGN, Action.REASSIGN, Action.MOVE, *DESK, *DISPATCH},
        ),
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

"""Who may do what (POLICY.md section 8), as the console asks before showing a key.

The store enforces the same rules when it writes (and Postgres again, with grants); this
module lets the screen hide what a person may not do, and say why if they try.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    ESCALATE = "escalate"
    ASSIGN = "assign"
    REASSIGN = "reassign"
    MOVE = "move"
    PRIORITISE = "prioritise"
    VERIFY = "verify"
    DOWNGRADE = "downgrade"
    NOTICE = "notice"
    DECLINE = "decline"
    ACK_PAGE = "ack page"
    ATTACH = "attach"
    LOG_REQUEST = "log request"
    RESPOND = "respond"
    NOTE = "note"
    LOG_WORK = "log work"
    RESOLVE = "resolve"
    REOPEN = "reopen"


RANK = {"agent": 0, "dispatcher": 1, "lead": 2}
NEEDS: dict[Action, tuple[str, str]] = {
    Action.ESCALATE: ("agent", "escalating needs a desk role"),
    Action.ASSIGN: ("dispatcher", "only dispatchers and leads assign requests"),
    Action.REASSIGN: ("lead", "only leads reassign escalations"),
    Action.MOVE: ("lead", "only leads move escalations to another destination"),
    Action.PRIORITISE: ("lead", "only technical leads set the technical priority order"),
    Action.VERIFY: ("dispatcher", "only dispatchers and leads verify emergencies"),
    Action.DOWNGRADE: ("dispatcher", "only dispatchers and leads downgrade emergencies"),
    Action.NOTICE: ("agent", "recording a billing notice needs a desk role"),
    Action.DECLINE: ("agent", "recording a customer's decline needs a desk role"),
    Action.ACK_PAGE: ("agent", "acknowledging a page needs a desk role"),
    Action.ATTACH: ("dispatcher", "only dispatchers and leads attach requests to customers"),
    Action.LOG_REQUEST: ("agent", "logging a request needs a desk role"),
    Action.RESPOND: ("agent", "responding needs a desk role"),
    Action.NOTE: ("agent", "adding a note needs a desk role"),
    Action.LOG_WORK: ("agent", "logging work needs a desk role"),
    Action.RESOLVE: ("agent", "resolving needs a desk role"),
    Action.REOPEN: ("agent", "reopening needs a desk role"),
}


def refusal(role: str | None, department: str | None, action: Action) -> str | None:
    """None if `role` (in `department`) may do `action`, else the reason, in one line."""
    needed, reason = NEEDS[action]
    if role is None:
        return "you are not on the staff list, so the console is read-only"
    if RANK.get(role, -1) < RANK[needed]:
        return reason
    if action is Action.PRIORITISE and department != "technical":
        return reason
    return None

"""Postgres roles, so the database itself enforces who may do what (POLICY.md section 8).

Three group roles, each inheriting the one before: `switchboard_agent`,
`switchboard_dispatcher`, `switchboard_lead`. Each desk member logs in as their own role
(named like their handle) and is a member of exactly one group. Column privileges carry
the rules that matter most: only dispatchers and leads may change a request's
`assignee_id`; only leads may change an escalation's assignee, destination, reason or
technical priority; nobody may UPDATE or DELETE an event. So a dispatcher's `psql` cannot
reassign an escalation, whatever the application says.

Run by the database owner (the migration role): `switchboard db grant HANDLE ROLE`.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from console.store.errors import InvalidInput

GROUPS = {
    "agent": "switchboard_agent",
    "dispatcher": "switchboard_dispatcher",
    "lead": "switchboard_lead",
}
#: What each group may do beyond what the group before it may.
PRIVILEGES: dict[str, list[str]] = {
    "agent": [
        # Not left to PUBLIC's default: a schema re-created (or locked down) lacks it.
        "GRANT USAGE ON SCHEMA public TO {role}",
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
        "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        "GRANT INSERT ON requests, escalations, work_logs, billing_notices, events,"
        " agent_presence TO {role}",
        "GRANT UPDATE (contact_id, channel, summary, received_at, emergency,"
        " emergency_unverified, status, due_at, first_response_at, resolved_at,"
        " billing_state, version) ON requests TO {role}",
        # Resolving a request closes its escalation: status only.
        "GRANT UPDATE (status, closed_at, version) ON escalations TO {role}",
        "GRANT UPDATE ON agent_presence TO {role}",
        "GRANT UPDATE (next_check_in) ON customers TO {role}",
    ],
    "dispatcher": [
        "GRANT UPDATE (assignee_id) ON requests TO {role}",
        "GRANT INSERT ON shifts TO {role}",
    ],
    "lead": [
        "GRANT UPDATE (assignee_id, destination, reason, technical_priority)"
        " ON escalations TO {role}",
        "GRANT INSERT ON staff, customers, contacts TO {role}",
        "GRANT UPDATE ON staff, customers, contacts TO {role}",
        # The desk policy: a new version (and the re-timed requests' due_at, an agent column).
        "GRANT INSERT ON policy_versions TO {role}",
    ],
}
ORDER = ["agent", "dispatcher", "lead"]


def _quote(connection: Connection, name: str) -> str:
    return str(connection.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one())


def ensure_groups(connection: Connection) -> None:
    """Create the group roles if missing and grant them their privileges in this database."""
    previous = None
    for level in ORDER:
        group = GROUPS[level]
        exists = connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": group}
        ).first()
        if not exists:
            connection.execute(text(f"CREATE ROLE {group} NOLOGIN"))
        if previous is not None:
            connection.execute(text(f"GRANT {previous} TO {group}"))
        for statement in PRIVILEGES[level]:
            connection.execute(text(statement.format(role=group)))
        previous = group


def grant(connection: Connection, handle: str, role: str) -> str:
    """Make `handle` a login role in exactly the group of `role`; returns the group."""
    if role not in GROUPS:
        raise InvalidInput(f"unknown role {role!r} (accepted: {', '.join(ORDER)})")
    ensure_groups(connection)
    name = _quote(connection, handle)
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": handle})
    if not exists.first():
        connection.execute(text(f"CREATE ROLE {name} LOGIN"))
    for other in GROUPS.values():
        if other != GROUPS[role]:
            connection.execute(text(f"REVOKE {other} FROM {name}"))
    connection.execute(text(f"GRANT {GROUPS[role]} TO {name}"))
    return GROUPS[role]

"""Postgres roles, so the database itself enforces who may do what (POLICY.md section 8).

Three group roles, each inheriting the one before: `switchboard_agent`,
`switchboard_dispatcher`, `switchboard_lead`. Each desk member logs in as their own role
(named like their handle) and is a member of exactly one group. Column privileges carry
the rules that matter most: only dispatchers and leads may change a request's
`assignee_id`; only leads may change an escalation's assignee, destination, reason or
technical priority; nobody may UPDATE or DELETE an event. So a dispatcher's `psql` cannot
reassign an escalation, whatever the application says.

Each login is bound to whom it acts as in `db_logins` (a staff member, or a service such
as `portal`, in the group `switchboard_service`); the database then refuses any event in
another name (`console/store/audited.py`). Logins may INSERT events but never change
`db_logins`, UPDATE/DELETE/TRUNCATE events, or ALTER, DROP or switch triggers off (only
the owner may).

Run by the database owner (the migration role): `switchboard db grant HANDLE ROLE` and
`switchboard db grant-service NAME`.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from console.store.errors import InvalidInput

GROUPS = {
    "agent": "switchboard_agent",
    "dispatcher": "switchboard_dispatcher",
    "lead": "switchboard_lead",
}
#: Services (intake, pager, portal) log in as members of this group, which inherits the
#: agent's privileges; their events name the service and on whose behalf it acted.
SERVICE_GROUP = "switchboard_service"
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
        # Every write may carry a key (its answer is stored on it) and purge old ones.
        "GRANT INSERT, UPDATE, DELETE ON idempotency_keys TO {role}",
        # An agent adds a caller as a contact (the write path lets only leads designate one;
        # the row needs every column, so here the audit history is the guard).
        "GRANT INSERT ON contacts TO {role}",
        # The portal (issue 17): desk replies; password hashes and sessions stay unread.
        "GRANT INSERT ON request_messages TO {role}",
        "REVOKE SELECT ON portal_passwords, portal_sessions, portal_tokens FROM {role}",
        # Single-use links (issues 16, 17): a page queued by anyone carries its ack link.
        "GRANT INSERT ON portal_tokens TO {role}",
        # A new emergency opens its page and queues its messages; an acknowledgement closes
        # it; the pager (a service, with these privileges) escalates and sends.
        "GRANT INSERT, UPDATE ON pages, outbox TO {role}",
        # Anyone may say how they are reached (the command allows only their own).
        "GRANT INSERT, UPDATE ON staff_contacts TO {role}",
    ],
    "dispatcher": [
        "GRANT UPDATE (assignee_id) ON requests TO {role}",
        # Attaching a request in triage (mail from an unknown sender) to its customer.
        "GRANT UPDATE (customer_id) ON requests TO {role}",
        "GRANT INSERT ON shifts TO {role}",
    ],
    "lead": [
        "GRANT UPDATE (assignee_id, destination, reason, technical_priority)"
        " ON escalations TO {role}",
        "GRANT INSERT ON staff, customers TO {role}",
        "GRANT UPDATE ON staff, customers, contacts TO {role}",
        # The desk policy: a new version (and the re-timed requests' due_at, an agent column).
        "GRANT INSERT ON policy_versions TO {role}",
        "GRANT INSERT ON mail_domains TO {role}",
        # Portal accounts: approve, disable (ending its sessions), set a password.
        "GRANT INSERT, UPDATE ON portal_accounts TO {role}",
        "GRANT SELECT (account_id), INSERT, DELETE ON portal_passwords, portal_sessions TO {role}",
    ],
}
ORDER = ["agent", "dispatcher", "lead"]
#: What services may do beyond the agent's privileges: mail intake files messages; the
#: portal keeps its sessions, sign-in throttling and password hashes.
SERVICE_PRIVILEGES = [
    "GRANT SELECT, INSERT, UPDATE, DELETE ON portal_sessions, portal_sign_in_failures TO {role}",
    "GRANT SELECT, UPDATE ON portal_passwords TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON portal_tokens TO {role}",
    "GRANT INSERT, UPDATE ON mail_messages, mail_quarantine, imap_folders TO {role}",
    "GRANT INSERT ON mail_attachments TO {role}",
]
#: `pg_advisory_xact_lock` key: one `db grant` at a time per database, so two admins'
#: GRANTs on the same tables never update the same catalog rows at once.
GRANT_LOCK = 0x5B6752414E54  # "[gRANT"
#: What Postgres answers when a role or a membership another transaction has just
#: created is created again: duplicate_object, or unique_violation on its catalog index.
_ALREADY_THERE = {"42710", "23505"}


def _quote(connection: Connection, name: str) -> str:
    return str(connection.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one())


def _lock(connection: Connection) -> None:
    """Serialise `db grant` runs on this database until the transaction ends."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": GRANT_LOCK})


def _role_exists(connection: Connection, name: str) -> bool:
    found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def _idempotent(connection: Connection, statement: str) -> None:
    """Run a CREATE ROLE or GRANT role TO role that another transaction may be running at
    the same moment: roles are cluster-wide, and an advisory lock is per database, so two
    desks' databases on one server (or two admins) can race. The loser's statement fails
    on the catalog's unique index once the winner commits; that result is what it wanted,
    so the failure is undone to a savepoint and the transaction goes on."""
    try:
        with connection.begin_nested():
            connection.execute(text(statement))
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in _ALREADY_THERE:
            raise


def ensure_groups(connection: Connection) -> None:
    """Create the group roles if missing and grant them their privileges in this database.

    Safe to run by two admins at once, on one database or on two of the same server."""
    _lock(connection)
    previous = None
    for level in ORDER:
        group = GROUPS[level]
        if not _role_exists(connection, group):
            _idempotent(connection, f"CREATE ROLE {group} NOLOGIN")
        if previous is not None:
            _idempotent(connection, f"GRANT {previous} TO {group}")
        for statement in PRIVILEGES[level]:
            connection.execute(text(statement.format(role=group)))
        previous = group
    if not _role_exists(connection, SERVICE_GROUP):
        _idempotent(connection, f"CREATE ROLE {SERVICE_GROUP} NOLOGIN")
    _idempotent(connection, f"GRANT {GROUPS['agent']} TO {SERVICE_GROUP}")
    for statement in SERVICE_PRIVILEGES:
        connection.execute(text(statement.format(role=SERVICE_GROUP)))


def grant(connection: Connection, handle: str, role: str, login: str | None = None) -> str:
    """Make `login` (default: `handle`) a login role in exactly the group of `role`, acting
    as the staff member `handle`; returns the group."""
    if role not in GROUPS:
        raise InvalidInput(f"unknown role {role!r} (accepted: {', '.join(ORDER)})")
    staff_id = connection.execute(
        text("SELECT id FROM staff WHERE handle = :h"), {"h": handle}
    ).scalar_one_or_none()
    if staff_id is None:
        raise InvalidInput(f"no staff member {handle!r}: add them first (staff add)")
    ensure_groups(connection)
    _login_in_group(connection, login or handle, GROUPS[role])
    _bind(connection, login or handle, staff_id=staff_id, service=None)
    return GROUPS[role]


def grant_service(connection: Connection, service: str, login: str | None = None) -> str:
    """Make `login` (default: `service`) a login role of the service `service`."""
    ensure_groups(connection)
    _login_in_group(connection, login or service, SERVICE_GROUP)
    _bind(connection, login or service, staff_id=None, service=service)
    return SERVICE_GROUP


def _login_in_group(connection: Connection, login: str, group: str) -> None:
    name = _quote(connection, login)
    if not _role_exists(connection, login):
        _idempotent(connection, f"CREATE ROLE {name} LOGIN")
    for other in [*GROUPS.values(), SERVICE_GROUP]:
        if other != group:
            connection.execute(text(f"REVOKE {other} FROM {name}"))
    _idempotent(connection, f"GRANT {group} TO {name}")


def _bind(connection: Connection, login: str, *, staff_id: int | None, service: str | None) -> None:
    connection.execute(
        text(
            "INSERT INTO db_logins (login, staff_id, service) VALUES (:l, :s, :v) "
            "ON CONFLICT (login) DO UPDATE SET staff_id = :s, service = :v"
        ),
        {"l": login, "s": staff_id, "v": service},
    )


def bound_to(connection: Connection) -> tuple[str, str]:
    """Whom this connection's login acts as: ('owner'|'staff'|'service'|'unbound', name).

    On Postgres the database's own answer (`switchboard_login()`, which its triggers use
    too); elsewhere ('owner', '') since SQLite has no logins.
    """
    if connection.dialect.name != "postgresql":
        return ("owner", "")
    row = connection.execute(text("SELECT kind, name FROM switchboard_login()")).one()
    return (str(row.kind), str(row.name))

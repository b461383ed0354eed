"""The database's own audit (Postgres): no change without an event, whatever the client.

Why: the write path records an event with every change, but a login can also change rows
with psql, where nothing records anything and no console hears of it. So the database
itself makes three promises, installed by migration 0002 from the SQL below:

- every INSERT, UPDATE and DELETE on a table in `AUDITED` leaves an event in the same
  transaction: a deferred constraint trigger checks at commit whether this transaction
  (`events.transaction_id`) recorded a write-path event for that row's entity; if not, it
  records `sql.insert|sql.update|sql.delete` itself, with only the changed columns;
- an event's actor is the login that wrote it (`session_user`, bound to a staff member or
  a service in `db_logins`, else the staff member whose handle is the login's name); the
  database owner and superusers are trusted as before (migrations, the demo, admin work);
- every transaction that writes events sends one `pg_notify` (the payload, its first
  event's id, is only a wake-up), from a trigger: the one mechanism for every client.

To audit a new table, add one line to `AUDITED` and call `install(connection, TABLE)` in
the migration that creates it; `switchboard doctor` reports an audited table without its
trigger. How it fails: a login bound to nobody cannot write any audited table (its commit
is refused with one line), and an event in someone else's name is refused at INSERT.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

#: Audited table -> (the event entity the write path uses for its rows, the key column).
AUDITED: dict[str, tuple[str, str]] = {
    "requests": ("request", "id"),
    "escalations": ("escalation", "id"),
    "work_logs": ("work_log", "id"),
    "billing_notices": ("billing_notice", "id"),
    "shifts": ("shift", "id"),
    "agent_presence": ("agent_presence", "staff_id"),
    "staff": ("staff", "id"),
    "customers": ("customer", "id"),
    "contacts": ("contact", "id"),
    "policy_versions": ("policy", "number"),
    "mail_domains": ("mail_domain", "id"),
    "mail_messages": ("mail_message", "id"),
    # An attachment is part of its message: the message's event covers it.
    "mail_attachments": ("mail_message", "message_id"),
    "mail_quarantine": ("mail_quarantine", "id"),
    "portal_accounts": ("portal_account", "id"),
    "request_messages": ("request_message", "id"),
    "staff_contacts": ("staff_contact", "staff_id"),
    "pages": ("page", "id"),
}

#: The trigger on each audited table, and those on `events`.
AUDIT_TRIGGER = "switchboard_audit"
EVENT_TRIGGERS = ("events_append_only", "events_guard", "events_notify")
CHANNEL = "switchboard_events"
#: Kinds of the events the database records itself (`sql.update`, ...).
SQL_KIND_PREFIX = "sql."

_SAFE = "SECURITY DEFINER SET search_path = pg_catalog, public"

#: Who the session's login is: ('owner'|'staff'|'service'|'unbound', name).
LOGIN_FUNCTION = f"""
CREATE FUNCTION switchboard_login(OUT kind text, OUT name text)
LANGUAGE plpgsql STABLE {_SAFE} AS $$
DECLARE
    who text := session_user;
BEGIN
    IF (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = who) OR pg_has_role(
        who, (SELECT d.datdba FROM pg_database d WHERE d.datname = current_database()),
        'MEMBER'
    ) THEN
        kind := 'owner'; name := left(who, 32); RETURN;
    END IF;
    SELECT CASE WHEN l.service IS NULL THEN 'staff' ELSE 'service' END,
           coalesce(l.service, s.handle)
      INTO kind, name
      FROM public.db_logins l LEFT JOIN public.staff s ON s.id = l.staff_id
     WHERE l.login = who;
    IF FOUND THEN RETURN; END IF;
    SELECT 'staff', s.handle INTO kind, name FROM public.staff s WHERE s.handle = who;
    IF FOUND THEN RETURN; END IF;
    kind := 'unbound'; name := who;
END $$
"""

#: BEFORE INSERT on events: the real transaction id, and the login's own name as actor.
GUARD_FUNCTION = f"""
CREATE FUNCTION events_guard() RETURNS trigger LANGUAGE plpgsql {_SAFE} AS $$
DECLARE
    me record;
BEGIN
    NEW.transaction_id := pg_current_xact_id()::text::bigint;
    SELECT * INTO me FROM public.switchboard_login();
    IF me.kind = 'owner' THEN
        RETURN NEW;
    ELSIF me.kind = 'unbound' THEN
        RAISE EXCEPTION 'the database login % is bound to no staff member or service: '
            'the owner runs switchboard db grant', me.name USING ERRCODE = '42501';
    ELSIF NEW.actor IS DISTINCT FROM me.name THEN
        RAISE EXCEPTION 'you are connected as %; an event in the name of % is refused',
            me.name, NEW.actor USING ERRCODE = '42501';
    ELSIF me.kind = 'staff' AND NEW.on_behalf_of IS NOT NULL THEN
        RAISE EXCEPTION 'you are connected as %; only a service login records on whose '
            'behalf it acts', me.name USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
END $$
"""

#: AFTER INSERT on events: the transaction's first event wakes the consoles.
NOTIFY_FUNCTION = f"""
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql {_SAFE} AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM public.events e
         WHERE e.transaction_id = NEW.transaction_id AND e.id < NEW.id
    ) THEN
        PERFORM pg_notify('{CHANNEL}', NEW.id::text);
    END IF;
    RETURN NULL;
END $$
"""

#: Deferred, per row: at commit, an `sql.*` event unless the write path recorded one.
AUDIT_FUNCTION = f"""
CREATE FUNCTION switchboard_audit_row() RETURNS trigger LANGUAGE plpgsql {_SAFE} AS $$
DECLARE
    v_entity text := TG_ARGV[0];
    v_old jsonb;
    v_new jsonb;
    v_id bigint;
    v_before jsonb;
    v_after jsonb;
    me record;
BEGIN
    IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW); END IF;
    v_id := (coalesce(v_new, v_old) ->> TG_ARGV[1])::bigint;
    IF EXISTS (
        SELECT 1 FROM public.events e
         WHERE e.transaction_id = pg_current_xact_id()::text::bigint
           AND e.entity = v_entity AND e.entity_id = v_id
           AND e.kind NOT LIKE '{SQL_KIND_PREFIX}%'
    ) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(k, v_old -> k), jsonb_object_agg(k, v_new -> k)
          INTO v_before, v_after
          FROM jsonb_object_keys(v_new) AS k
         WHERE v_old -> k IS DISTINCT FROM v_new -> k;
        IF v_before IS NULL THEN RETURN NULL; END IF;  -- nothing changed
    ELSE
        v_before := v_old;
        v_after := v_new;
    END IF;
    SELECT * INTO me FROM public.switchboard_login();
    INSERT INTO public.events (at, actor, kind, entity, entity_id, before, after)
    VALUES (now(), me.name, '{SQL_KIND_PREFIX}' || lower(TG_OP), v_entity, v_id,
            v_before, v_after);
    RETURN NULL;
END $$
"""

FUNCTIONS = {
    "switchboard_login()": LOGIN_FUNCTION,
    "events_guard()": GUARD_FUNCTION,
    "events_notify()": NOTIFY_FUNCTION,
    "switchboard_audit_row()": AUDIT_FUNCTION,
}


def install_events(connection: Connection) -> None:
    """The functions, and the guard and notify triggers on `events` (Postgres)."""
    for body in FUNCTIONS.values():
        connection.execute(text(body))
    # Triggers run these as the owner; nobody calls them directly. A login may ask
    # `switchboard_login()` who it is (the CLI does).
    for signature in list(FUNCTIONS)[1:]:
        connection.execute(text(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC"))
    connection.execute(
        text(
            "CREATE TRIGGER events_guard BEFORE INSERT ON events "
            "FOR EACH ROW EXECUTE FUNCTION events_guard()"
        )
    )
    connection.execute(
        text(
            "CREATE TRIGGER events_notify AFTER INSERT ON events "
            "FOR EACH ROW EXECUTE FUNCTION events_notify()"
        )
    )


def install(connection: Connection, table: str) -> None:
    """The deferred audit trigger on one table of `AUDITED` (Postgres)."""
    entity, key = AUDITED[table]
    connection.execute(
        text(
            f"CREATE CONSTRAINT TRIGGER {AUDIT_TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"EXECUTE FUNCTION switchboard_audit_row('{entity}', '{key}')"
        )
    )


def uninstall(connection: Connection, table: str) -> None:
    connection.execute(text(f"DROP TRIGGER IF EXISTS {AUDIT_TRIGGER} ON {table}"))


def uninstall_events(connection: Connection) -> None:
    for trigger in ("events_guard", "events_notify"):
        connection.execute(text(f"DROP TRIGGER IF EXISTS {trigger} ON events"))
    for signature in FUNCTIONS:
        connection.execute(text(f"DROP FUNCTION IF EXISTS {signature}"))

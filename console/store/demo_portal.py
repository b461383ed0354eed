"""Portal accounts on the demo desk: a few contacts who can sign in to the website.

Three contacts with e-mail addresses get an account (the password's hash is given: the
store never sees a password): a designated and an ordinary contact of one municipality,
and a designated contact of another, so the demo shows who sees what.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from console.store.commands.portal import AccountView, add_account, list_accounts
from console.store.db import Database
from console.store.demo_plan import DESK_LEAD
from console.store.models import Contact


def demo_accounts(database: Database, now: datetime, password_hash: str) -> list[AccountView]:
    """The demo's portal accounts, made on first use (none are made twice)."""
    with database.session() as session:
        existing = list_accounts(session)
        if existing:
            return existing
        rows = session.execute(
            select(Contact.customer_id, Contact.email, Contact.designated_for_emergencies)
            .where(Contact.email.is_not(None))
            .order_by(Contact.customer_id, Contact.id)
        ).all()
        by_customer: dict[int, dict[bool, str]] = {}
        for customer_id, email, designated in rows:
            if email is None:  # the query asks for addresses only
                continue
            by_customer.setdefault(customer_id, {}).setdefault(bool(designated), email)
        both = [kinds for kinds in by_customer.values() if len(kinds) == 2]
        chosen = [*both[0].values()] if both else []
        chosen += [kinds[True] for kinds in both[1:2]]
        for email in chosen:
            add_account(session, DESK_LEAD, now, email=email, password_hash=password_hash)
        return list_accounts(session)

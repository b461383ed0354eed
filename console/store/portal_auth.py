"""The portal's sign-in machinery: sessions and failed sign-ins, in the database.

Why in the database: several portal processes may run behind one load balancer, so
nothing a second process would need lives in a process's memory. A session row holds
only the SHA-256 of the random token in the browser's cookie (a stolen table signs no
one in), the session's CSRF token, and when it was made and last seen (idle expiry).
Failed sign-ins are rows counted per user name and per address over a window.

These tables are machinery, not desk data: no audit events (see docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from console.store.commands.portal import Principal
from console.store.models import Contact, Customer
from console.store.models_portal import (
    PortalAccount,
    PortalPassword,
    PortalSession,
    PortalSignInFailure,
)

#: A session's last-seen time is written at most this often (not on every page).
TOUCH_EVERY = timedelta(seconds=60)
#: Failed sign-ins are kept this long, then pruned.
KEEP_FAILURES = timedelta(days=1)


@dataclass(frozen=True)
class SignedIn:
    who: Principal
    csrf_token: str


def password_of(session: Session, email: str) -> tuple[int, str] | None:
    """The active account with this (lower-case) address and its hash, or None."""
    found = session.execute(
        select(PortalAccount.id, PortalPassword.hash)
        .join(PortalPassword, PortalPassword.account_id == PortalAccount.id)
        .where(PortalAccount.email == email, PortalAccount.active.is_(True))
    ).first()
    return (found[0], found[1]) if found else None


def rehash(session: Session, account_id: int, new_hash: str, now: datetime) -> None:
    """Store a stronger hash of the same password (argon2 parameters raised)."""
    session.execute(
        update(PortalPassword)
        .where(PortalPassword.account_id == account_id)
        .values(hash=new_hash, set_at=now)
    )
    session.commit()


def recent_failures(
    session: Session, username: str, address: str, since: datetime
) -> tuple[int, int, datetime | None]:
    """Failures since `since` for the user name and for the address, and the oldest of them."""
    counted = select(func.count(), func.min(PortalSignInFailure.at)).where(
        PortalSignInFailure.at > since
    )
    by_name, oldest_name = session.execute(
        counted.where(PortalSignInFailure.username == username)
    ).one()
    by_address, oldest_address = session.execute(
        counted.where(PortalSignInFailure.address == address)
    ).one()
    oldest = [t for t in (oldest_name, oldest_address) if t is not None]
    return int(by_name), int(by_address), min(oldest) if oldest else None


def record_failure(session: Session, username: str, address: str, now: datetime) -> None:
    session.execute(delete(PortalSignInFailure).where(PortalSignInFailure.at < now - KEEP_FAILURES))
    session.add(PortalSignInFailure(username=username[:254], address=address[:64], at=now))
    session.commit()


def start_session(
    session: Session,
    account_id: int,
    token_hash: str,
    csrf_token: str,
    now: datetime,
    *,
    replacing: str | None,
    idle: timedelta,
) -> None:
    """A new session for the account; the browser's previous one (if any) ends now, as do
    all sessions idle for longer than `idle` (whoever's: sign-ins keep the table small)."""
    if replacing:
        session.execute(delete(PortalSession).where(PortalSession.token_hash == replacing))
    session.execute(delete(PortalSession).where(PortalSession.seen_at < now - idle))
    session.add(
        PortalSession(
            token_hash=token_hash,
            account_id=account_id,
            csrf_token=csrf_token,
            created_at=now,
            seen_at=now,
        )
    )
    session.commit()


def end_session(session: Session, token_hash: str) -> None:
    session.execute(delete(PortalSession).where(PortalSession.token_hash == token_hash))
    session.commit()


def signed_in(
    session: Session, token_hash: str, now: datetime, *, idle: timedelta, lifetime: timedelta
) -> SignedIn | None:
    """Who holds this session, if it is live (not idle too long, not too old, account
    active); a dead one is deleted. Marks it seen (at most every `TOUCH_EVERY`)."""
    found = session.execute(
        select(PortalSession, PortalAccount, Contact, Customer.municipality)
        .join(PortalAccount, PortalAccount.id == PortalSession.account_id)
        .join(Contact, Contact.id == PortalAccount.contact_id)
        .join(Customer, Customer.id == Contact.customer_id)
        .where(PortalSession.token_hash == token_hash)
    ).first()
    if found is None:
        return None
    row, account, contact, customer = found
    if not account.active or row.seen_at <= now - idle or row.created_at <= now - lifetime:
        end_session(session, token_hash)
        return None
    if now - row.seen_at >= TOUCH_EVERY:
        row.seen_at = now
        session.commit()
    who = Principal(
        account.id,
        contact.id,
        contact.customer_id,
        contact.name,
        customer,
        contact.designated_for_emergencies,
        account.email,
    )
    return SignedIn(who, row.csrf_token)

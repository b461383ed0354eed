"""Single-use links the portal mails: password reset and invitation (issue 17).

A link carries a random 256-bit token; the row keeps only its SHA-256 and an expiry, so a
copy of the table opens nothing. Using a link is one UPDATE that succeeds for exactly one
caller (`used_at IS NULL AND expires_at > now`): a link works once, never after expiry.
The reset mail is queued through the outbox in the same transaction as its token row.

Machinery (no audit events): the rows hold secrets' hashes; the password itself is
machinery too (`portal_passwords`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from console.store.dml import rows_matched
from console.store.models_paging import Page
from console.store.models_portal import PortalAccount, PortalPassword, PortalSession, PortalToken
from console.store.outbox import enqueue

#: How long a reset link works.
RESET_LIFETIME = timedelta(minutes=30)
#: How long an invitation link works.
INVITE_LIFETIME = timedelta(days=7)
#: How long a page's acknowledgement link works (issue 16).
ACK_LIFETIME = timedelta(hours=24)
#: Stands for the portal's base URL in a queued body; the sender writes `[portal] base_url`
#: in its place, so the store needs no setting and the URL can move.
PORTAL = "{portal}"
#: Reset mails per account per hour, at most.
RESETS_PER_HOUR = 3


def reset_body(name_or_email: str, link: str, minutes: int) -> str:
    return (
        f"Someone (we hope you) asked to reset the password of the support website account "
        f"{name_or_email}.\n\nTo choose a new password, open this link within {minutes} "
        f"minutes:\n\n  {link}\n\nThe link works once. If you did not ask, ignore this mail: "
        "your password stays as it is.\n"
    )


def request_reset(
    session: Session, now: datetime, *, email: str, token_hash: str, link: str
) -> bool:
    """Queue a reset mail for the enabled account `email` (lower-case) with a link to
    `link`; False (nothing written) for no such account or past the hourly limit."""
    account = session.scalars(
        select(PortalAccount).where(PortalAccount.email == email, PortalAccount.active.is_(True))
    ).first()
    if account is None:
        return False
    recent = session.scalar(
        select(func.count()).where(
            PortalToken.account_id == account.id,
            PortalToken.purpose == "reset",
            PortalToken.created_at > now - timedelta(hours=1),
        )
    )
    if int(recent or 0) >= RESETS_PER_HOUR:
        return False
    session.execute(delete(PortalToken).where(PortalToken.expires_at < now - timedelta(days=1)))
    session.add(
        PortalToken(
            token_hash=token_hash,
            purpose="reset",
            account_id=account.id,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    enqueue(
        session,
        now,
        channel="email",
        recipient=account.email,
        label=f"portal:{account.id}",
        purpose="password-reset",
        subject="Reset your support website password",
        body=reset_body(account.email, link, int(RESET_LIFETIME.total_seconds() // 60)),
        headers={"Auto-Submitted": "auto-generated"},
    )
    session.commit()
    return True


#: The stored "hash" of an invited account until its first password: verifies nothing.
NO_PASSWORD = "!invited"


def invite_body(name: str, link: str, days: int) -> str:
    return (
        f"Hello {name},\n\nthe support desk made you an account on its support website, "
        "where you can file requests and follow them.\n\nTo choose your password, open this "
        f"link within {days} days:\n\n  {link}\n\nThe link works once. Then sign in with "
        "this e-mail address and that password.\n"
    )


def invite_account(
    session: Session,
    now: datetime,
    account: PortalAccount,
    name: str,
    *,
    token_hash: str,
    link: str,
) -> None:
    """Add an invitation link for `account` and queue its mail (the caller commits)."""
    session.add(
        PortalToken(
            token_hash=token_hash,
            purpose="invite",
            account_id=account.id,
            created_at=now,
            expires_at=now + INVITE_LIFETIME,
        )
    )
    enqueue(
        session,
        now,
        channel="email",
        recipient=account.email,
        label=f"portal:{account.id}",
        purpose="portal-invite",
        subject="Your account on the support website",
        body=invite_body(name, link, INVITE_LIFETIME.days),
        headers={"Auto-Submitted": "auto-generated"},
    )


def password_link(session: Session, token_hash: str, now: datetime) -> str | None:
    """The address of the enabled account a live reset or invitation link is for, or None."""
    found = session.execute(
        select(PortalAccount.email)
        .join(PortalToken, PortalToken.account_id == PortalAccount.id)
        .where(
            PortalToken.token_hash == token_hash,
            PortalToken.purpose.in_(("reset", "invite")),
            PortalToken.used_at.is_(None),
            PortalToken.expires_at > now,
            PortalAccount.active.is_(True),
        )
    ).first()
    return found[0] if found else None


def use_password_link(session: Session, token_hash: str, now: datetime, new_hash: str) -> bool:
    """Set the password through a live link, once: the link is spent, every session of the
    account ends, and any other open link of the account is spent too. False: no such link."""
    account_id = session.scalar(
        select(PortalToken.account_id)
        .join(PortalAccount, PortalAccount.id == PortalToken.account_id)
        .where(
            PortalToken.token_hash == token_hash,
            PortalToken.purpose.in_(("reset", "invite")),
            PortalAccount.active.is_(True),
        )
    )
    if account_id is None:
        return False
    spent = session.execute(
        update(PortalToken)
        .where(
            PortalToken.token_hash == token_hash,
            PortalToken.used_at.is_(None),
            PortalToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if rows_matched(spent) != 1:
        session.rollback()
        return False
    session.execute(
        update(PortalToken)
        .where(
            PortalToken.account_id == account_id,
            PortalToken.purpose.in_(("reset", "invite")),
            PortalToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    session.execute(
        update(PortalPassword)
        .where(PortalPassword.account_id == account_id)
        .values(hash=new_hash, set_at=now)
    )
    session.execute(delete(PortalSession).where(PortalSession.account_id == account_id))
    session.commit()
    return True


def new_link_token() -> tuple[str, str]:
    """A random 256-bit token for a link, and the SHA-256 (hex) the database keeps."""
    token = secrets.token_urlsafe(32)
    return token, hashlib.sha256(token.encode()).hexdigest()


def page_ack_line(session: Session, now: datetime, page: Page, handle: str) -> str:
    """A single-use link acknowledging `page` as `handle` (added to the caller's
    transaction), as the line its mail ends with."""
    token, hashed = new_link_token()
    session.add(
        PortalToken(
            token_hash=hashed,
            purpose="page-ack",
            page_id=page.id,
            staff=handle,
            created_at=now,
            expires_at=now + ACK_LIFETIME,
        )
    )
    return f"Or acknowledge in a browser (the link works once): {PORTAL}/ack/{token}"


@dataclass(frozen=True)
class PageLink:
    page_id: int
    kind: str
    request_id: int | None
    staff: str
    state: str


def page_link(session: Session, token_hash: str, now: datetime) -> PageLink | None:
    """What a live page-ack link is for, or None (unknown, used or expired)."""
    found = session.execute(
        select(Page.id, Page.kind, Page.request_id, PortalToken.staff, Page.state)
        .join(PortalToken, PortalToken.page_id == Page.id)
        .where(
            PortalToken.token_hash == token_hash,
            PortalToken.purpose == "page-ack",
            PortalToken.used_at.is_(None),
            PortalToken.expires_at > now,
        )
    ).first()
    return PageLink(found[0], found[1], found[2], found[3] or "", found[4]) if found else None


def spend_page_link(session: Session, token_hash: str, now: datetime) -> PageLink | None:
    """Spend a live page-ack link in the caller's transaction: what it was for, or None."""
    link = page_link(session, token_hash, now)
    if link is None:
        return None
    spent = session.execute(
        update(PortalToken)
        .where(PortalToken.token_hash == token_hash, PortalToken.used_at.is_(None))
        .values(used_at=now)
    )
    return link if rows_matched(spent) == 1 else None

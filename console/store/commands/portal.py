"""The portal's writes (issue 17): accounts (a lead's), and what a signed-in contact does.

A contact acts through the service `portal`: the rows are written by the same commands
the CLI uses (`log_request`, `record_billing_notice`, `record_decline`), run inside one
transaction here, and every event names the service with `on_behalf_of` `contact:ID`.
An account exists only for a contact of a customer, found by the contact's e-mail
address; the password arrives already hashed (the store never sees a password).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from console.domain.mail_out import reply_subject
from console.store import audit, mail_out
from console.store.commands.base import (
    Rules,
    actor,
    clean_text,
    command,
    save,
    shown,
)
from console.store.commands.billing import PORTAL_METHOD, record_billing_notice, record_decline
from console.store.commands.request_reads import load_request, view_of
from console.store.commands.requests import log_request, respond
from console.store.enums import RequestStatus, Role
from console.store.errors import InvalidInput, InvalidState, NotFound
from console.store.models import Contact, Customer
from console.store.models_portal import (
    PortalAccount,
    PortalPassword,
    PortalSession,
    RequestMessage,
)
from console.store.portal_tokens import invite_account
from console.store.views import RequestView

#: The service name a portal writes as, unless its Postgres login is bound to another.
SERVICE = "portal"
#: What a contact may type in a request's details or a reply, in characters.
MESSAGE_LIMIT = 4000


@dataclass(frozen=True)
class AccountView:
    id: int
    email: str
    contact_id: int
    contact: str
    customer: str
    designated: bool
    active: bool
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class Principal:
    """Who is signed in: the account, its contact and customer (read per request)."""

    account_id: int
    contact_id: int
    customer_id: int
    contact: str
    customer: str
    designated: bool
    email: str

    @property
    def on_behalf_of(self) -> str:
        return f"contact:{self.contact_id}"


@dataclass(frozen=True)
class Filed:
    """A request filed on the portal, and what became of its after-hours billing."""

    request: RequestView
    after_hours: str | None  # "bill", "wait" or None (in hours, or an emergency)


def clean_email(value: str | None) -> str:
    """An e-mail address lower-cased, or `InvalidInput`."""
    text = clean_text(value, "e-mail address", "email") or ""
    address = text.lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in address):
        raise InvalidInput(f"{shown(value)} is not an e-mail address")
    return address


def contact_by_email(session: Session, email: str) -> Contact:
    found = session.scalars(select(Contact).where(func.lower(Contact.email) == email)).all()
    if not found:
        raise NotFound(f"no contact of any customer has the e-mail address {shown(email)}")
    if len(found) > 1:
        raise InvalidState(
            f"{len(found)} contacts share the e-mail address {shown(email)}: "
            "give each its own before making an account"
        )
    return found[0]


def account_view(session: Session, account: PortalAccount) -> AccountView:
    contact = session.get(Contact, account.contact_id)
    assert contact is not None
    customer = session.get(Customer, contact.customer_id)
    assert customer is not None
    return AccountView(
        account.id,
        account.email,
        contact.id,
        contact.name,
        customer.municipality,
        contact.designated_for_emergencies,
        account.active,
        account.added_at,
        account.added_by,
    )


@command
def add_account(
    session: Session,
    actor_handle: str,
    now: datetime,
    *,
    email: str,
    password_hash: str,
    invite: tuple[str, str] | None = None,
) -> AccountView:
    """A lead approves a portal account for the contact with `email` (or re-enables a
    disabled one with a new password). `invite`: (token hash, link) of a single-use link
    mailed to the contact to choose the first password (then `password_hash` is unusable),
    queued in this transaction."""
    lead = actor(session, actor_handle, Role.LEAD, "approving portal accounts")
    address = clean_email(email)
    contact = contact_by_email(session, address)
    account = session.scalars(
        select(PortalAccount).where(PortalAccount.contact_id == contact.id)
    ).first()
    before = None
    if account is not None:
        if account.active:
            raise InvalidState(f"{address} already has an active portal account")
        before = audit.snapshot(account)
        account.active, account.disabled_at, account.email = True, None, address
        kind = "portal-account.enabled"
    else:
        account = PortalAccount(
            contact_id=contact.id, email=address, active=True, added_at=now, added_by=lead.handle
        )
        session.add(account)
        kind = "portal-account.added"
    save(session)
    # Replaced, never read: a lead's database login may not read hashes.
    session.execute(delete(PortalPassword).where(PortalPassword.account_id == account.id))
    session.add(PortalPassword(account_id=account.id, hash=password_hash, set_at=now))
    save(session)
    if invite is not None:
        invite_account(session, now, account, contact.name, token_hash=invite[0], link=invite[1])
    audit.record(
        session,
        actor=lead.handle,
        at=now,
        kind=kind,
        entity="portal_account",
        entity_id=account.id,
        before=before,
        after=audit.snapshot(account),  # never the hash: it lives in portal_passwords
    )
    return account_view(session, account)


@command
def disable_account(
    session: Session, actor_handle: str, now: datetime, *, email: str
) -> AccountView:
    """A lead disables a portal account: it cannot sign in and its sessions end now."""
    lead = actor(session, actor_handle, Role.LEAD, "disabling portal accounts")
    address = clean_email(email)
    account = session.scalars(select(PortalAccount).where(PortalAccount.email == address)).first()
    if account is None:
        raise NotFound(f"no portal account {shown(address)}")
    if not account.active:
        raise InvalidState(f"the portal account {address} is already disabled")
    before = audit.snapshot(account)
    account.active, account.disabled_at = False, now
    session.execute(delete(PortalSession).where(PortalSession.account_id == account.id))
    save(session)
    audit.record(
        session,
        actor=lead.handle,
        at=now,
        kind="portal-account.disabled",
        entity="portal_account",
        entity_id=account.id,
        before=before,
        after=audit.snapshot(account),
    )
    return account_view(session, account)


def list_accounts(session: Session) -> list[AccountView]:
    accounts = session.scalars(select(PortalAccount).order_by(PortalAccount.email)).all()
    return [account_view(session, account) for account in accounts]


def _message(
    session: Session, now: datetime, who: Principal, request_id: int, body: str, service: str
) -> RequestMessage:
    message = RequestMessage(
        request_id=request_id, author="contact", contact_id=who.contact_id, body=body, at=now
    )
    session.add(message)
    save(session)
    audit.record(
        session,
        actor=service,
        at=now,
        kind="request.message",
        entity="request_message",
        entity_id=message.id,
        before=None,
        after=audit.snapshot(message),
        on_behalf_of=who.on_behalf_of,
    )
    return message


@command
def file_request(
    session: Session,
    now: datetime,
    rules: Rules,
    *,
    who: Principal,
    summary: str,
    details: str | None,
    emergency: bool,
    after_hours: str | None,
    service: str = SERVICE,
) -> Filed:
    """File a `portal` request for the signed-in contact, its clock starting now, in one
    transaction with its details and the contact's after-hours choice.

    A non-emergency filed while the desk is closed needs `after_hours`: `bill` records
    the notice the portal showed (method `portal`), `wait` the decline; without it
    `InvalidInput` and nothing is written. An emergency from a contact who is not
    designated is filed as unverified (by `log_request`, as for the CLI).
    """
    text = clean_text(details, "details", "note", required=False, multiline=True)
    choice = after_hours if after_hours in ("bill", "wait") else None
    if after_hours not in (None, "bill", "wait"):
        raise InvalidInput(f"after_hours {shown(after_hours)} is not one of: bill, wait")
    closed = not rules.calendar.is_open(now)
    if closed and not emergency and choice is None:
        raise InvalidInput("after_hours: the desk is closed; choose bill or wait")
    # The bodies of the CLI's own commands, inside this one transaction.
    view: RequestView = log_request.__wrapped__(
        session,
        None,
        now,
        rules,
        channel="portal",
        customer=who.customer_id,
        summary=summary,
        contact=str(who.contact_id),
        emergency=emergency,
        service=service,
        on_behalf_of=who.on_behalf_of,
    )
    if text:
        _message(session, now, who, view.id, text, service)
    if view.billing_state != "needs-notice":
        return Filed(view, None)
    assert choice is not None
    if choice == "bill":
        record_billing_notice.__wrapped__(
            session,
            None,
            now,
            request_id=view.id,
            method=PORTAL_METHOD,
            service=service,
            on_behalf_of=who.on_behalf_of,
        )
    else:
        record_decline.__wrapped__(
            session, None, now, request_id=view.id, service=service, on_behalf_of=who.on_behalf_of
        )
    row = load_request(session, view.id)
    return Filed(view_of(session, row), choice)


@command
def reply(
    session: Session,
    now: datetime,
    *,
    who: Principal,
    request_id: int,
    body: str,
    service: str = SERVICE,
) -> int:
    """The contact adds a message to a request they may see; returns the message id."""
    text = clean_text(body, "message", "note", multiline=True) or ""
    row = load_request(session, request_id)
    if not may_see(who, row.customer_id, row.contact_id):
        raise NotFound(f"no request {request_id}")
    if row.status != RequestStatus.OPEN.value:
        raise InvalidState(f"request {row.id} is resolved: file a new request instead")
    return _message(session, now, who, row.id, text, service).id


@dataclass(frozen=True)
class ReplyView:
    id: int
    request_id: int
    by: str
    #: The address the reply was also mailed to (None: portal only).
    mailed_to: str | None = None
    #: It was the first response: the response clock stopped.
    responded: bool = False


@command
def desk_reply(
    session: Session, actor_handle: str, now: datetime, *, request_id: int, body: str
) -> ReplyView:
    """A desk member's reply to the customer, shown on the portal's page of the request
    and, when the customer has an address (the contact's, or the mail the request came
    by), mailed to them threaded in the same transaction. The first reply to an open
    request is its first response (`respond`): the response clock stops."""
    by = actor(session, actor_handle, Role.AGENT, "replying to customers")
    text = clean_text(body, "message", "note", multiline=True) or ""
    row = load_request(session, request_id)
    message = RequestMessage(request_id=row.id, author="desk", staff_id=by.id, body=text, at=now)
    session.add(message)
    save(session)
    audit.record(
        session,
        actor=by.handle,
        at=now,
        kind="request.message",
        entity="request_message",
        entity_id=message.id,
        before=None,
        after=audit.snapshot(message),
    )
    to = mail_out.customer_address(session, row)
    if to is not None:
        subject = mail_out.last_customer_subject(session, row.id) or row.summary
        mail_out.queue(
            session,
            now,
            row,
            to=to,
            purpose="reply",
            subject=reply_subject(row.id, subject),
            body=text + "\n",
            label=f"request {row.id}",
            threaded=True,
        )
    # (a request stamped later than this clock, e.g. by another machine's, keeps its timer)
    first = (
        row.first_response_at is None
        and row.status == RequestStatus.OPEN.value
        and now >= row.received_at
    )
    if first:
        respond.__wrapped__(session, by.handle, now, request_id=row.id)
    return ReplyView(message.id, row.id, by.handle, to, first)


def may_see(who: Principal, customer_id: int | None, contact_id: int | None) -> bool:
    """A contact sees their own requests; a designated contact all of their customer's."""
    if customer_id != who.customer_id:
        return False
    return who.designated or contact_id == who.contact_id

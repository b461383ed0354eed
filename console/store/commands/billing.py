"""Commands about time and money: work logs, billing notices, declines (POLICY.md s. 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from console.domain.billing import Work, needs_billing_notice
from console.domain.mail_out import notice_body, notice_subject
from console.store import audit, mail_out
from console.store.commands.base import (
    Rules,
    StaffMember,
    actor,
    clean_text,
    command,
    guard,
    not_future,
    one_of,
    save,
    staff_named,
)
from console.store.commands.request_reads import load_request, request_for_change, view_of
from console.store.enums import BillingState, NoticeMethod, Role
from console.store.errors import InvalidInput, InvalidState
from console.store.models import BillingNotice, Request, WorkLog
from console.store.views import NoticeView, RequestView, WorkView

#: The method of a notice the portal showed and the contact accepted (no staff member).
PORTAL_METHOD = "portal"


@dataclass(frozen=True)
class _Service:
    """A service acting for a contact: no staff id."""

    id: None
    handle: str


def _billing_event(
    session: Session,
    row: Request,
    by: str,
    now: datetime,
    kind: str,
    before: dict[str, object],
    on_behalf_of: str | None = None,
) -> None:
    save(session)
    audit.record(
        session,
        actor=by,
        at=now,
        kind=kind,
        entity="request",
        entity_id=row.id,
        before=before,
        after=audit.snapshot(row),
        on_behalf_of=on_behalf_of,
    )


@command
def log_work(
    session: Session,
    actor_handle: str,
    now: datetime,
    rules: Rules,
    *,
    request_id: int,
    started_at: datetime,
    ended_at: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> WorkView:
    """Log time worked on a request. After-hours work on a non-emergency request that
    needed no notice so far turns it to `needs-notice`."""
    by = actor(session, actor_handle, Role.AGENT, "logging work")
    row = load_request(session, request_id)
    guard(session, row, "request", expected_version)
    text = clean_text(note, "note", "note", required=False, multiline=True)
    if ended_at <= started_at:
        raise InvalidInput("work must end after it starts (--to after --from)")
    not_future(ended_at, now, "end of work")
    work = WorkLog(
        request_id=row.id,
        staff_id=by.id,
        started_at=started_at,
        ended_at=ended_at,
        note=text,
        logged_at=now,
    )
    session.add(work)
    save(session)
    audit.record(
        session,
        actor=by.handle,
        at=now,
        kind="work.logged",
        entity="work_log",
        entity_id=work.id,
        before=None,
        after=audit.snapshot(work),
    )
    if row.billing_state == BillingState.NONE.value and needs_billing_notice(
        rules.calendar,
        emergency=row.emergency,
        received_at=row.received_at,
        work=[Work(started_at, ended_at)],
    ):
        before = audit.snapshot(row)
        row.billing_state = BillingState.NEEDS_NOTICE.value
        _billing_event(session, row, by.handle, now, "request.needs-billing-notice", before)
    return WorkView(work.id, row.id, by.handle, started_at, ended_at, text, row.billing_state)


@command
def record_billing_notice(
    session: Session,
    actor_handle: str | None,
    now: datetime,
    *,
    request_id: int,
    method: str,
    at: datetime | None = None,
    given_by: str | None = None,
    expected_version: int | None = None,
    service: str | None = None,
    on_behalf_of: str | None = None,
) -> NoticeView:
    """Record that the customer was told after-hours work is billable; time worked after
    `at` becomes billable. `given_by` is who told them (default: the one recording, who
    stays the actor of the audit events). A service (the portal, `actor_handle` None)
    records the notice it showed and the contact accepted: method `portal`, given by no
    staff member, its events naming the service and `on_behalf_of`."""
    if service is not None:
        recorder: StaffMember | _Service = _Service(None, service)
        by = recorder
        if method != PORTAL_METHOD:
            raise InvalidInput(f"a service records notices with method {PORTAL_METHOD}")
        how_value = PORTAL_METHOD
    else:
        recorder = actor(session, actor_handle or "", Role.AGENT, "recording billing notices")
        by = staff_named(session, given_by, "staff member to give notice") if given_by else recorder
        how_value = one_of(method, NoticeMethod, "method").value
    on_behalf_of = on_behalf_of if service else None
    row = load_request(session, request_id)
    guard(session, row, "request", expected_version)
    when = not_future(at or now, now, "notice time")
    state = BillingState(row.billing_state)
    if state is BillingState.NONE:
        raise InvalidState(f"request {row.id} needs no billing notice (no after-hours work)")
    if state is BillingState.NOTIFIED:
        raise InvalidState(f"request {row.id} already has its billing notice")
    notice = BillingNotice(request_id=row.id, given_by_id=by.id, given_at=when, method=how_value)
    to = mail_out.customer_address(session, row) if how_value == NoticeMethod.EMAIL else None
    if to is not None:  # the notice itself goes out, with the notice's row
        zone = Rules.read(session).calendar.zone
        notice.message_id = mail_out.queue(
            session,
            now,
            row,
            to=to,
            purpose="billing-notice",
            subject=notice_subject(row.id),
            body=notice_body(row.id, when, zone),
            label=f"request {row.id}",
            threaded=True,
        )
    session.add(notice)
    before = audit.snapshot(row)
    row.billing_state = BillingState.NOTIFIED.value
    save(session)
    audit.record(
        session,
        actor=recorder.handle,
        at=now,
        kind="billing-notice.recorded",
        entity="billing_notice",
        entity_id=notice.id,
        before=None,
        after=audit.snapshot(notice),
        on_behalf_of=on_behalf_of,
    )
    _billing_event(
        session, row, recorder.handle, now, "request.billing-notified", before, on_behalf_of
    )
    return NoticeView(
        notice.id, row.id, by.handle, when, how_value, row.billing_state, notice.message_id, to
    )


@command
def record_decline(
    session: Session,
    actor_handle: str | None,
    now: datetime,
    *,
    request_id: int,
    expected_version: int | None = None,
    service: str | None = None,
    on_behalf_of: str | None = None,
) -> RequestView:
    """Record that the customer declined after-hours billing: the request waits for the
    desk to open and runs on the business clock like any other. A service (the portal)
    records a contact's own decline, as for `record_billing_notice`."""
    if service is not None:
        by: StaffMember | _Service = _Service(None, service)
    else:
        by = actor(session, actor_handle or "", Role.AGENT, "recording billing declines")
    row = request_for_change(session, request_id)
    guard(session, row, "request", expected_version)
    state = BillingState(row.billing_state)
    if state is not BillingState.NEEDS_NOTICE:
        raise InvalidState(
            f"request {row.id} is in billing state {state.value}: only one that needs a "
            "billing notice can be declined"
        )
    before = audit.snapshot(row)
    row.billing_state = BillingState.DECLINED.value
    who = on_behalf_of if service else None
    _billing_event(session, row, by.handle, now, "request.billing-declined", before, who)
    return view_of(session, row)

"""Routine follow-ups: recording a check-in with a customer (POLICY.md section 7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from console.store import audit
from console.store.commands.base import Rules, actor, command, customer_named, save
from console.store.enums import Role
from console.store.errors import InvalidInput

#: The default time to the next check-in; the CLI passes the `followups.default_days` setting.
DEFAULT_FOLLOWUP_DAYS = 30
#: The furthest ahead a next check-in may be set (a typo guard).
LONGEST_FOLLOWUP = timedelta(days=3 * 366)


@dataclass(frozen=True)
class FollowUpView:
    customer_id: int
    customer: str
    checked_in_at: datetime
    by: str
    previous_check_in: date | None
    next_check_in: date


@command
def record_followup(
    session: Session,
    actor_handle: str,
    now: datetime,
    rules: Rules,
    *,
    customer: str | int,
    next_date: date | None = None,
    default_days: int = DEFAULT_FOLLOWUP_DAYS,
) -> FollowUpView:
    """Record a routine check-in with `customer` at `now` and schedule the next one.

    The next check-in is `next_date`, else `default_days` after today (the desk-local
    date of `now`); it must be after today. Anyone on the desk may record one.
    """
    by = actor(session, actor_handle, Role.AGENT, "recording check-ins")
    row = customer_named(session, customer)
    today = rules.calendar.local_date(now)
    if next_date is None:
        if not 1 <= default_days <= LONGEST_FOLLOWUP.days:
            raise InvalidInput(
                f"days to the next check-in must be 1 to {LONGEST_FOLLOWUP.days} "
                f"(got {default_days})"
            )
        next_date = today + timedelta(days=default_days)
    if next_date <= today:
        raise InvalidInput(f"the next check-in {next_date} is not after today ({today})")
    if next_date > today + LONGEST_FOLLOWUP:
        raise InvalidInput(
            f"the next check-in {next_date} is more than {LONGEST_FOLLOWUP.days} days ahead"
        )
    before = audit.snapshot(row)
    previous = row.next_check_in
    row.next_check_in = next_date
    save(session)
    after = audit.snapshot(row) | {"checked_in_at": now.isoformat()}
    audit.record(
        session,
        actor=by.handle,
        at=now,
        kind="customer.checked-in",
        entity="customer",
        entity_id=row.id,
        before=before,
        after=after,
    )
    return FollowUpView(row.id, row.municipality, now, by.handle, previous, next_date)

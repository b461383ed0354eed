"""The words the store keeps in its text columns (the domain owns the policy ones)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a staff member may do (POLICY.md section 8); each includes the one before."""

    AGENT = "agent"
    DISPATCHER = "dispatcher"
    LEAD = "lead"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class Department(StrEnum):
    DESK = "desk"
    CUSTOMER_CARE = "customer-care"
    TECHNICAL = "technical"


class RequestStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    #: Mail from an unknown sender: no customer yet, waiting for a dispatcher to attach it.
    TRIAGE = "triage"


class BillingState(StrEnum):
    """After-hours billing of a request (POLICY.md section 4)."""

    NONE = "none"  # nothing billable: in desk hours, or an emergency
    NEEDS_NOTICE = "needs-notice"
    NOTIFIED = "notified"  # time worked after the notice is billable
    DECLINED = "declined"  # waits for the desk to open, on the business clock


class EscalationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class NoticeMethod(StrEnum):
    PHONE = "phone"
    EMAIL = "email"

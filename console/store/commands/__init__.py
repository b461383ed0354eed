"""The one write path: every change a person can make, with its audit event.

Each function takes a `Session`, the actor's handle and `now` (plus `Rules` where due
times or billing apply), checks the actor's role (POLICY.md section 8), writes rows and
events in one transaction, and returns a plain view of the new state. On any error it
raises a `console.store.errors.StoreError` subclass and writes nothing.
"""

from console.store.commands.base import Rules
from console.store.commands.billing import log_work, record_billing_notice, record_decline
from console.store.commands.emergencies import downgrade_emergency, verify_emergency
from console.store.commands.escalations import (
    escalate,
    open_escalation_of,
    reassign_escalation,
    set_technical_priority,
)
from console.store.commands.followups import record_followup
from console.store.commands.intake import (
    AttachmentIn,
    IntakeResult,
    MailIn,
    ingest_mail,
)
from console.store.commands.mail_admin import add_mail_domain, attach_request
from console.store.commands.paging import (
    ack_page,
    escalate_due,
    handoffs_due,
    set_staff_contact,
)
from console.store.commands.people import (
    add_contact,
    add_customer,
    add_shift,
    add_staff,
    set_presence,
)
from console.store.commands.quarantine import quarantine_mail
from console.store.commands.requests import (
    assign,
    log_call_answered,
    log_email,
    log_portal_request,
    log_request,
    log_voicemail,
    reopen,
    resolve,
    respond,
    unassign,
)

__all__ = [
    "AttachmentIn",
    "IntakeResult",
    "MailIn",
    "Rules",
    "ack_page",
    "add_contact",
    "add_customer",
    "add_mail_domain",
    "add_shift",
    "add_staff",
    "assign",
    "attach_request",
    "downgrade_emergency",
    "escalate",
    "escalate_due",
    "handoffs_due",
    "ingest_mail",
    "log_call_answered",
    "log_email",
    "log_portal_request",
    "log_request",
    "log_voicemail",
    "log_work",
    "open_escalation_of",
    "quarantine_mail",
    "reassign_escalation",
    "record_billing_notice",
    "record_decline",
    "record_followup",
    "reopen",
    "resolve",
    "respond",
    "set_presence",
    "set_staff_contact",
    "set_technical_priority",
    "unassign",
    "verify_emergency",
]

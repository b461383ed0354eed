"""The reports a desk is judged by: billing, response times, coverage (issue 7).

Reports only read. `snapshot(database)` gives a session that sees one consistent state
and never blocks a writer: on Postgres a REPEATABLE READ READ ONLY transaction of plain
SELECTs (no FOR UPDATE), on SQLite a deferred read transaction on a connection of its
own (the desk's engine takes the write lock at BEGIN; a WAL reader must not).

The SQL only fetches rows; every policy answer (what is billable and at which rate,
which clock a response is measured on, what counts as a gap) comes from the domain.
Periods are desk-local dates, both ends included: desk-local midnight of `from_date`
to desk-local midnight after `to_date`.
"""

from console.store.reports.billing import (
    BillingLine,
    BillingReport,
    CustomerBilling,
    RateLine,
    billing_report,
)
from console.store.reports.common import (
    LONGEST_COVERAGE_DAYS,
    LONGEST_PERIOD_DAYS,
    Period,
    minutes,
    period,
    snapshot,
)
from console.store.reports.coverage import (
    CoverageReport,
    GapLine,
    Overlap,
    ShiftLine,
    coverage_report,
    overlaps,
)
from console.store.reports.sla import Breach, SlaGroup, SlaReport, sla_report

__all__ = [
    "LONGEST_COVERAGE_DAYS",
    "LONGEST_PERIOD_DAYS",
    "BillingLine",
    "BillingReport",
    "Breach",
    "CoverageReport",
    "CustomerBilling",
    "GapLine",
    "Overlap",
    "Period",
    "RateLine",
    "ShiftLine",
    "SlaGroup",
    "SlaReport",
    "billing_report",
    "coverage_report",
    "minutes",
    "overlaps",
    "period",
    "sla_report",
    "snapshot",
]

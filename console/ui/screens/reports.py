"""The report screen (`R`): after-hours billing and response times for a month, and
coverage ahead, the same figures as `switchboard report`, read from one snapshot on a
worker thread so the console never waits and writers are never held up.

`[` and `]` step the month; Tab moves between the three tabs; Escape closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static, TabbedContent, TabPane

from console.clock import Clock
from console.domain.calendar import DeskCalendar
from console.domain.charts import RESPONSE_LABELS
from console.store import reports
from console.store.db import Database
from console.store.errors import StoreError
from console.store.policy import PolicyTimeline
from console.ui.format import hours_clock, inert

COLUMNS = {
    "billing-table": ["Customer", "#", "Received", "Notice", "How", "By", "Min", "$/h", "Amount"],
    "sla-table": [
        "By",
        "Name",
        "Requests",
        "Met",
        "Breached",
        "Pending",
        "Met %",
        "Median h:mm",
        "p90 h:mm",
    ],
    "breaches-table": [
        "#",
        "Customer",
        "Channel",
        "Clock",
        "Received",
        "Due",
        "Responded",
        "Over min",
    ],
    "coverage-table": ["What", "From", "To", "Hours", "Who"],
}


#: Under the arrivals chart: where the day's hours fall (the chart is 24 cells wide).
HOUR_AXIS = "00    06    12    18   23"


@dataclass(frozen=True)
class Month:
    """A calendar month of the desk: its first and last day."""

    first: date

    @property
    def last(self) -> date:
        return self.next().first - timedelta(days=1)

    def next(self) -> Month:
        year, month = divmod(self.first.month, 12)
        return Month(date(self.first.year + year, month + 1, 1))

    def previous(self) -> Month:
        return Month((self.first - timedelta(days=1)).replace(day=1))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.replace(day=1))

    @classmethod
    def opening(cls, today: date) -> Month:
        """The month `R` opens on: this one, except on its first day, when the month just
        ended is what a lead looks at (this one has hardly begun; `]` steps to it)."""
        month = cls.of(today)
        return month.previous() if today.day == 1 else month

    def __str__(self) -> str:
        return f"{self.first:%B %Y}"


@dataclass(frozen=True)
class Loaded:
    billing: reports.BillingReport
    sla: reports.SlaReport
    coverage: reports.CoverageReport


def _when(at: datetime | None, zone: ZoneInfo) -> str:
    return "-" if at is None else f"{at.astimezone(zone):%b %d %H:%M}"


def _number(value: Decimal | int | None, places: str = "0.1") -> Text:
    """A figure, right-aligned in its column; `-` when there is none."""
    shown = "-" if value is None else str(Decimal(value).quantize(Decimal(places)))
    return Text(shown, justify="right")


def _money(value: Decimal, style: str = "") -> Text:
    return Text(f"{value:,.2f}", style=style, justify="right")


class ReportScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Close", id="reports.close"),
        Binding("left_square_bracket", "month(-1)", "Month before", id="reports.previous"),
        Binding("right_square_bracket", "month(1)", "Month after", id="reports.next"),
    ]

    def __init__(self, database: Database, calendar: DeskCalendar, clock: Clock) -> None:
        super().__init__()
        self.database = database
        self.calendar = calendar
        self.clock = clock
        self.zone = calendar.zone
        self.month = Month.opening(calendar.local_date(clock.now()))

    def compose(self) -> ComposeResult:
        with Vertical(id="reports-body"):
            yield Static(id="reports-title")
            with TabbedContent(id="reports-tabs"):
                with TabPane("Billing", id="tab-billing"):
                    yield Static(id="billing-total")
                    yield DataTable(id="billing-table", cursor_type="row", zebra_stripes=True)
                with TabPane("Response times", id="tab-sla"):
                    with Horizontal(id="sla-charts"):
                        with Vertical(classes="chart"):
                            yield Static(id="arrivals-title", classes="chart-title")
                            yield Sparkline([], id="arrivals-chart")
                            yield Static(HOUR_AXIS, classes="chart-axis")
                        with Vertical(classes="chart"):
                            yield Static(id="responses-title", classes="chart-title")
                            yield Sparkline([], id="responses-chart")
                            yield Static(id="responses-axis", classes="chart-axis")
                    yield DataTable(id="sla-table", cursor_type="row", zebra_stripes=True)
                    yield Static(id="breaches-title")
                    yield DataTable(id="breaches-table", cursor_type="row")
                with TabPane("Coverage ahead", id="tab-coverage"):
                    yield DataTable(id="coverage-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        for table_id, columns in COLUMNS.items():
            self.query_one(f"#{table_id}", DataTable).add_columns(*columns)
        self._load()

    def action_month(self, step: int) -> None:
        self.month = self.month.next() if step > 0 else self.month.previous()
        self._load()

    # -- reading ----------------------------------------------------------------------------

    def _load(self) -> None:
        self.query_one("#reports-title", Static).update(
            Text(f"Reports · {self.month}: loading…", style="bold")
        )
        self._read(self.month)

    @work(thread=True, exclusive=True, group="reports", exit_on_error=False)
    def _read(self, month: Month) -> None:
        now = self.clock.now().replace(second=0, microsecond=0)
        try:
            with reports.snapshot(self.database) as session:
                timeline = PolicyTimeline.read(session)  # each request under its own version
                found = Loaded(
                    reports.billing_report(session, timeline, month.first, month.last),
                    reports.sla_report(session, timeline, month.first, month.last, now),
                    reports.coverage_report(session, timeline.current.calendar, now, days=14),
                )
        except (StoreError, SQLAlchemyError) as exc:
            message = str(exc) if isinstance(exc, StoreError) else type(exc).__name__
            self.app.call_from_thread(self._failed, month, message)
            return
        self.app.call_from_thread(self._show, month, found)

    def _failed(self, month: Month, message: str) -> None:
        self.query_one("#reports-title", Static).update(
            Text(f"Reports · {month}: could not read: {message}", style="bold red")
        )

    # -- showing ----------------------------------------------------------------------------

    def _show(self, month: Month, found: Loaded) -> None:
        if month != self.month:  # the person stepped on meanwhile
            return
        self.query_one("#reports-title", Static).update(
            Text(
                f"Reports · {month} ({month.first:%b %d} to {month.last:%b %d}, "
                f"{self.zone.key}) · as of {_when(found.sla.at, self.zone)}",
                style="bold",
            )
        )
        self._show_billing(found.billing)
        self._show_sla(found.sla)
        self._show_coverage(found.coverage)

    def _show_billing(self, found: reports.BillingReport) -> None:
        table = self.query_one("#billing-table", DataTable)
        table.clear()
        for group in found.customers:
            for line in group.lines:
                table.add_row(
                    inert(group.customer),
                    str(line.request_id),
                    _when(line.received_at, self.zone),
                    _when(line.notice_at, self.zone),
                    line.notice_method,
                    line.notice_by,
                    _number(line.minutes, "1"),
                    Text(" ".join(f"{r.hourly:.2f}" for r in line.rates), justify="right"),
                    _money(line.amount),
                )
            table.add_row(
                Text(f"{inert(group.customer)} total", style="bold"),
                *[""] * 5,
                _number(group.minutes, "1"),
                "",
                _money(group.amount, "bold"),
            )
        count = sum(len(g.lines) for g in found.customers)
        if count:
            table.add_row(
                Text("Total", style="bold"),
                *[""] * 5,
                _number(found.minutes, "1"),
                "",
                _money(found.amount, "bold"),
            )
        self.query_one("#billing-total", Static).update(
            Text(
                f"{count} billable request{'s' if count != 1 else ''}, "
                f"{_number(found.minutes, '1')} min, ${found.amount:,.2f} "
                "(only work after the notice and outside desk hours)"
                if count
                else "Nothing billable this month: no after-hours work after a notice."
            )
        )

    def _show_sla(self, found: reports.SlaReport) -> None:
        self._show_charts(found)
        table = self.query_one("#sla-table", DataTable)
        table.clear()
        for kind, groups in (
            ("channel", found.by_channel),
            ("customer", found.by_customer),
            ("all", (found.total,)),
        ):
            for g in groups:
                table.add_row(
                    Text("Total", style="bold") if kind == "all" else kind,
                    inert(g.name),
                    _number(g.requests, "1"),
                    _number(g.met, "1"),
                    _number(g.breached, "1"),
                    _number(g.pending, "1"),
                    _number(g.compliance),
                    Text(hours_clock(g.median_minutes), justify="right"),
                    Text(hours_clock(g.p90_minutes), justify="right"),
                )
        breaches = self.query_one("#breaches-table", DataTable)
        breaches.clear()
        for b in found.breaches:
            breaches.add_row(
                str(b.request_id),
                inert(b.customer),
                b.channel,
                b.clock,
                _when(b.received_at, self.zone),
                _when(b.due_at, self.zone),
                _when(b.first_response_at, self.zone),
                _number(b.overdue_minutes, "1"),
            )
        self.query_one("#breaches-title", Static).update(
            Text(f"Breaches: {len(found.breaches)}", style="bold")
        )

    def _show_charts(self, found: reports.SlaReport) -> None:
        arrivals, responses = found.arrivals_by_hour, found.response_buckets
        busiest = max(range(24), key=lambda h: arrivals[h]) if any(arrivals) else None
        peak = f", most at {busiest:02d}:00 ({arrivals[busiest]})" if busiest is not None else ""
        self.query_one("#arrivals-title", Static).update(
            Text(f"Arrivals per hour, desk time: {sum(arrivals)}{peak}", style="bold")
        )
        self.query_one("#arrivals-chart", Sparkline).data = list(arrivals)
        self.query_one("#responses-title", Static).update(
            Text(f"First responses by time taken: {sum(responses)}", style="bold")
        )
        self.query_one("#responses-chart", Sparkline).data = list(responses)
        self.query_one("#responses-axis", Static).update(
            "  ".join(f"{label} {n}" for label, n in zip(RESPONSE_LABELS, responses, strict=True))
        )

    def _show_coverage(self, found: reports.CoverageReport) -> None:
        table = self.query_one("#coverage-table", DataTable)
        table.clear()
        for gap in found.gaps:
            table.add_row(
                Text("on-call gap", style="bold red"),
                _when(gap.start, self.zone),
                _when(gap.end, self.zone),
                _number(gap.minutes / 60),
                "nobody",
            )
        for overlap in found.overlaps:
            table.add_row(
                f"overlap ({overlap.kind})",
                _when(overlap.start, self.zone),
                _when(overlap.end, self.zone),
                _number(Decimal((overlap.end - overlap.start).total_seconds()) / 3600),
                f"{overlap.first.staff} + {overlap.second.staff}",
            )
        if not found.gaps and not found.overlaps:
            table.add_row("no gaps or overlaps in the next 14 days", "", "", "", "")

"""The report screen (`R`): the month's billing and response times, coverage ahead,
stepping months with `[` and `]`, against figures worked out by hand."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal

from textual.widgets import DataTable, Sparkline, Static

from console.store import commands
from console.ui.format import hours_clock
from console.ui.screens.reports import Month, ReportScreen
from tests.ui.conftest import NIGHT, loaded, wait_until


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def rows(screen, selector: str) -> list[list[str]]:
    table = screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_reports_show_the_month_and_step_between_months(night_console, night_desk) -> None:
    # Request 1 (Shelbyville): notice at 21:40 by phone, then 20 minutes of work on a
    # Saturday night: 20 min at $200.00/h = $66.67.
    with night_desk.session() as session:
        commands.record_billing_notice(
            session, "ari", NIGHT, request_id=1, method="phone", at=NIGHT - timedelta(minutes=20)
        )
        commands.log_work(
            session,
            "ari",
            NIGHT,
            commands.Rules.defaults(),
            request_id=1,
            started_at=NIGHT - timedelta(minutes=20),
            ended_at=NIGHT,
        )

    async def scenario() -> None:
        app = night_console("dora")
        async with app.run_test(size=(160, 45)) as pilot:
            await loaded(pilot)
            await pilot.press("R")
            await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen))
            screen = app.screen
            await wait_until(pilot, lambda: "as of" in text_of(screen, "#reports-title"))
            assert "December 2026 (Dec 01 to Dec 31, America/Chicago)" in text_of(
                screen, "#reports-title"
            )
            assert "1 billable request, 20 min, $66.67" in text_of(screen, "#billing-total")
            line, total, grand = rows(screen, "#billing-table")
            assert line == [
                "Shelbyville", "1", "Dec 05 21:30", "Dec 05 21:40", "phone", "ari", "20",
                "200.00", "66.67",
            ]  # fmt: skip
            assert total[0] == "Shelbyville total" and total[-1] == "66.67"
            assert grand[0] == "Total" and grand[6] == "20" and grand[-1] == "66.67"
            # Response times: the two emergencies are on the wall clock and still
            # pending at 22:00 (due 22:45 and 22:50); the voicemail waits for Monday.
            by_name = {r[1]: r for r in rows(screen, "#sla-table")}
            assert by_name["emergency"][2:6] == ["2", "0", "0", "2"]
            assert by_name["all"][2:6] == ["3", "0", "0", "3"]
            assert by_name["all"][0] == "Total"
            # The charts: arrivals by desk hour (request 1 came in at 21:30), and no first
            # response yet, so every response bucket is empty.
            arrivals = screen.query_one("#arrivals-chart", Sparkline).data or []
            assert len(arrivals) == 24 and arrivals[21] >= 1
            assert f"desk time: {sum(arrivals)}" in text_of(screen, "#arrivals-title")
            assert sum(screen.query_one("#responses-chart", Sparkline).data or [1]) == 0
            assert text_of(screen, "#responses-axis").startswith("≤30m 0  ≤1h 0")
            # Coverage ahead: abe is on call until 23:00, nobody after that.
            gaps = [r for r in rows(screen, "#coverage-table") if r[0] == "on-call gap"]
            assert gaps[0][1:3] == ["Dec 05 23:00", "Dec 07 07:00"]

            await pilot.press("right_square_bracket")
            await wait_until(pilot, lambda: "January 2027 (" in text_of(screen, "#reports-title"))
            assert "Nothing billable" in text_of(screen, "#billing-total")
            assert rows(screen, "#billing-table") == []
            await pilot.press("left_square_bracket", "left_square_bracket")
            await wait_until(pilot, lambda: "November 2026 (" in text_of(screen, "#reports-title"))
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, ReportScreen))

    asyncio.run(scenario())


def test_r_opens_on_the_month_just_ended_on_the_first_day_of_a_month() -> None:
    assert str(Month.opening(date(2026, 12, 1))) == "November 2026"
    assert str(Month.opening(date(2026, 12, 2))) == "December 2026"
    assert str(Month.opening(date(2027, 1, 1))) == "December 2026"


def test_medians_read_as_hours_and_minutes() -> None:
    assert hours_clock(Decimal("121.5")) == "2:02"
    assert hours_clock(Decimal("59.4")) == "0:59"
    assert hours_clock(0) == "0:00"
    assert hours_clock(None) == "-"
    assert hours_clock(-75) == "-1:15"

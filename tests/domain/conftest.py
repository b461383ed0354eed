"""Helpers shared by the domain tests: desk-local instants in one short call."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from console.domain.calendar import DeskCalendar
from console.domain.sla import SlaPolicy

CHICAGO = ZoneInfo("America/Chicago")


def ct(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Central-time wall-clock instant, returned in UTC like everything in the domain."""
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO).astimezone(UTC)


@pytest.fixture(scope="session")
def calendar() -> DeskCalendar:
    return DeskCalendar()


@pytest.fixture(scope="session")
def sla(calendar: DeskCalendar) -> SlaPolicy:
    return SlaPolicy(calendar)

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from console.domain.charts import RESPONSE_LABELS, arrivals_by_hour, response_buckets

CHICAGO = ZoneInfo("America/Chicago")


def test_arrivals_count_by_the_desk_hour_not_the_utc_one() -> None:
    # 13:30 UTC is 07:30 in Chicago in December; 00:10 UTC is 18:10 the evening before.
    received = [
        datetime(2026, 12, 2, 13, 30, tzinfo=UTC),
        datetime(2026, 12, 2, 13, 59, tzinfo=UTC),
        datetime(2026, 12, 3, 0, 10, tzinfo=UTC),
    ]
    counts = arrivals_by_hour(received, CHICAGO)
    assert len(counts) == 24
    assert counts[7] == 2 and counts[18] == 1 and sum(counts) == 3


def test_response_buckets_put_an_edge_in_the_lower_bucket() -> None:
    took = [timedelta(minutes=m) for m in (0, 30, 31, 60, 121, 240, 241, 1000)]
    assert response_buckets(took) == (2, 2, 0, 1, 1, 2)
    assert len(RESPONSE_LABELS) == 6


@given(st.lists(st.integers(min_value=0, max_value=10_000)))
def test_every_response_lands_in_exactly_one_bucket(minutes: list[int]) -> None:
    assert sum(response_buckets(timedelta(minutes=m) for m in minutes)) == len(minutes)

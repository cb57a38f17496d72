"""The budget engine: the most a call can cost, and quota windows in UTC or a tenant's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agentshield.engines.budget import DEFAULT_OUTPUT_LIMIT, max_cost, output_limit, window_bounds
from agentshield.engines.budget.estimate import max_output_tokens
from agentshield.engines.pricing import Price, cost_nanos

PRICE = Price("gpt-4o-mini", input_per_mtok=150_000_000, output_per_mtok=600_000_000)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, 16_384),
        ({"max_tokens": 100}, 100),
        ({"max_completion_tokens": 50, "max_tokens": 100}, 50),
        ({"max_tokens": 10**6}, 16_384),  # never more than the model can write
        ({"max_tokens": 100, "n": 3}, 300),
        ({"max_tokens": True, "n": 0}, 16_384),
    ],
)
def test_the_reply_is_assumed_as_long_as_the_request_allows(
    body: dict[str, object], expected: int
) -> None:
    assert max_output_tokens("gpt-4o-mini-2024-07-18", body) == expected


def test_output_limits_by_family_and_a_documented_default() -> None:
    assert output_limit("openai/gpt-4o") == 16_384
    assert output_limit("gpt-4-0613") == 8_192
    assert output_limit("o1-mini") == 65_536
    assert output_limit("llama-3-70b") == DEFAULT_OUTPUT_LIMIT


def test_the_estimate_rounds_up_and_covers_the_same_tokens_charged() -> None:
    assert max_cost(PRICE, 1, 1) == 150 + 600
    assert max_cost(Price("x", 1, 1), 1, 1) == 2  # a millionth of a nano is a whole nano
    assert max_cost(PRICE, 7, 3) == cost_nanos(PRICE, 7, 3)
    assert max_cost(None, 10**6, 10**6) == 0


@pytest.mark.parametrize(
    ("period", "now", "zone", "start", "end"),
    [
        (
            "daily",
            datetime(2026, 3, 15, 23, 59, tzinfo=UTC),
            None,
            datetime(2026, 3, 15, tzinfo=UTC),
            datetime(2026, 3, 16, tzinfo=UTC),
        ),
        (
            "monthly",
            datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
            None,
            datetime(2026, 12, 1, tzinfo=UTC),
            datetime(2027, 1, 1, tzinfo=UTC),
        ),
        (
            "monthly",
            datetime(2028, 2, 29, 12, 0, tzinfo=UTC),
            None,
            datetime(2028, 2, 1, tzinfo=UTC),
            datetime(2028, 3, 1, tzinfo=UTC),
        ),
        # 23:30 UTC is already the next day in Berlin (UTC+1 in winter).
        (
            "daily",
            datetime(2026, 1, 10, 23, 30, tzinfo=UTC),
            "Europe/Berlin",
            datetime(2026, 1, 10, 23, 0, tzinfo=UTC),
            datetime(2026, 1, 11, 23, 0, tzinfo=UTC),
        ),
        # The day the clocks go forward in New York is 23 hours long.
        (
            "daily",
            datetime(2026, 3, 8, 12, 0, tzinfo=UTC),
            "America/New_York",
            datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
            datetime(2026, 3, 9, 4, 0, tzinfo=UTC),
        ),
    ],
)
def test_windows_start_at_local_midnight_and_end_where_the_next_starts(
    period: str, now: datetime, zone: str | None, start: datetime, end: datetime
) -> None:
    assert window_bounds(period, now, zone) == (start, end)


def test_windows_refuse_naive_times_and_unknown_periods() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        window_bounds("daily", datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="weekly"):
        window_bounds("weekly", datetime(2026, 1, 1, tzinfo=UTC))

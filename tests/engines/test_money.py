"""Money: integer nano-dollars, decimal strings at the edges, charges round up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentshield.engines.money import MoneyError, cost_of_tokens, parse_usd, to_usd_string


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        ("0", 0),
        ("0.01", 10_000_000),
        ("1", 1_000_000_000),
        ("2.5", 2_500_000_000),
        ("0.000000001", 1),
        ("9000000000", 9_000_000_000 * 10**9),
        (3, 3_000_000_000),
    ],
)
def test_parse_usd(text: str | int, nanos: int) -> None:
    assert parse_usd(text) == nanos


@pytest.mark.parametrize(
    "bad", ["-1", "abc", "0.0000000001", "NaN", "Infinity", "", 1.5, True, None, "1e400x"]
)
def test_parse_usd_refuses(bad: object) -> None:
    with pytest.raises(MoneyError):
        parse_usd(bad)  # type: ignore[arg-type]


def test_negative_only_when_allowed() -> None:
    assert parse_usd("-0.5", allow_negative=True) == -500_000_000


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_string_round_trip(nanos: int) -> None:
    assert parse_usd(to_usd_string(nanos), allow_negative=True) == nanos


@pytest.mark.parametrize(
    ("tokens", "per_million", "expected"),
    [
        (1_000_000, 150_000_000, 150_000_000),
        (1, 150_000_000, 150),
        (1, 1, 1),
        (3, 1, 1),
        (0, 10**12, 0),
        (7, 2_500_000_000, 17_500),
    ],
)
def test_token_cost_rounds_up(tokens: int, per_million: int, expected: int) -> None:
    assert cost_of_tokens(tokens, per_million) == expected

"""Shipped prices, the cost of a call (rounded up), and matching a model to its price."""

from __future__ import annotations

import dataclasses
import json
import re
from importlib import resources

import pytest

from agentshield.engines.pricing import Price, cost_nanos, load_price_list, match_price

REQUIRED = [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "o1",
    "o3",
    "o3-mini",
    "o4-mini",
    "gpt-4-turbo",
    "gpt-3.5-turbo",
    "text-embedding-3-small",
    "text-embedding-3-large",
    "text-embedding-ada-002",
    "mock-chat",
    "mock-embed",
]


def test_shipped_list_loads_with_positive_prices() -> None:
    prices = {p.model: p for p in load_price_list()}
    assert set(REQUIRED) <= prices.keys()
    for price in prices.values():
        assert price.input_per_mtok > 0, price.model
        embedding = price.model.startswith("text-embedding") or price.model == "mock-embed"
        assert price.output_per_mtok > 0 or embedding, price.model
        if price.cached_input_per_mtok is not None:
            assert 0 < price.cached_input_per_mtok < price.input_per_mtok, price.model


def test_shipped_figures_are_exact_nanos_and_dated() -> None:
    prices = {p.model: p for p in load_price_list()}
    assert prices["gpt-4o"] == Price("gpt-4o", 2_500_000_000, 10_000_000_000, 1_250_000_000)
    for mock in ("mock-chat", "mock-embed"):
        assert prices[mock] == dataclasses.replace(prices["gpt-4o-mini"], model=mock)
    raw = resources.files("agentshield.engines").joinpath("data", "prices.json").read_text()
    assert re.search(r"\d{4}-\d{2}-\d{2}", json.loads(raw)["source"])


GPT_4O_MINI = Price("gpt-4o-mini", 150_000_000, 600_000_000, 75_000_000)
EMBED_SMALL = Price("text-embedding-3-small", 20_000_000, 0)


@pytest.mark.parametrize(
    ("price", "prompt", "completion", "cached", "nanos"),
    [
        (GPT_4O_MINI, 1_000_000, 0, 0, 150_000_000),
        (GPT_4O_MINI, 1, 1, 0, 150 + 600),
        (GPT_4O_MINI, 1000, 500, 400, 600 * 150 + 400 * 75 + 500 * 600),
        (GPT_4O_MINI, 0, 0, 0, 0),
        (EMBED_SMALL, 1, 0, 0, 20),
        # 1 token at 1 nano-dollar per million is a millionth of a nano-dollar: charged as 1.
        (Price("tiny", 1, 1), 1, 0, 0, 1),
        (Price("tiny", 1, 1), 1_000_001, 0, 0, 2),
        # No cached price: cached tokens cost the input price.
        (Price("gpt-4-turbo", 10_000_000_000, 30_000_000_000), 10, 0, 10, 100_000),
    ],
)
def test_cost_nanos_rounds_up(
    price: Price, prompt: int, completion: int, cached: int, nanos: int
) -> None:
    assert cost_nanos(price, prompt, completion, cached) == nanos


@pytest.mark.parametrize(("prompt", "completion", "cached"), [(-1, 0, 0), (0, -1, 0), (5, 0, 6)])
def test_cost_nanos_refuses_impossible_counts(prompt: int, completion: int, cached: int) -> None:
    with pytest.raises(ValueError):
        cost_nanos(GPT_4O_MINI, prompt, completion, cached)


@pytest.mark.parametrize(
    ("model", "matched"),
    [
        ("gpt-4o", "gpt-4o"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("openai/gpt-4o-mini", "gpt-4o-mini"),
        ("GPT-4o", "gpt-4o"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("gpt-4-turbo-preview", "gpt-4-turbo"),
        ("gpt-3.5-turbo-0125", "gpt-3.5-turbo"),
        ("o1-pro", "o1-pro"),
        # Another model is not priced like its namesake.
        ("gpt-4o-audio-preview", None),
        ("o3-pro", None),
        ("gpt-4", None),
        ("unknown-model", None),
    ],
)
def test_match_price(model: str, matched: str | None) -> None:
    prices = {p.model: p for p in load_price_list()}
    found = match_price(prices, model)
    assert (found.model if found else None) == matched

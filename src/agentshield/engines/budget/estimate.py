"""The most a call can cost, known before it is sent: what a reservation holds.

Prompt tokens are counted; the reply is assumed as long as it may be: the request's
`max_completion_tokens` (or the older `max_tokens`), else the model's own output limit,
times `n` choices. Priced like the actual charge (`engines.pricing.cost_nanos`), so each
part rounds up and the estimate is never below what the same tokens will cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentshield.engines.pricing import Price, cost_nanos
from agentshield.engines.tokens import base_model

# Largest reply each model family may write (OpenAI's published output limits), checked in
# order: the first matching prefix wins ("gpt-4o" before "gpt-4"). Anything else: the default.
OUTPUT_LIMITS: tuple[tuple[str, int], ...] = (
    ("gpt-5", 128_000),
    ("o1-mini", 65_536),
    ("o1", 100_000),
    ("o3", 100_000),
    ("o4", 100_000),
    ("gpt-4.1", 32_768),
    ("gpt-4o", 16_384),
    ("chatgpt-4o", 16_384),
    ("gpt-4-turbo", 4_096),
    ("gpt-4", 8_192),
    ("gpt-3.5", 4_096),
)
DEFAULT_OUTPUT_LIMIT = 4_096


def output_limit(model: str) -> int:
    name = base_model(model)
    for prefix, limit in OUTPUT_LIMITS:
        if name.startswith(prefix):
            return limit
    return DEFAULT_OUTPUT_LIMIT


def max_output_tokens(model: str, body: Mapping[str, Any]) -> int:
    """The reply tokens a chat request allows, over all its `n` choices."""
    asked = body.get("max_completion_tokens")
    if asked is None:
        asked = body.get("max_tokens")
    limit = output_limit(model)
    per_choice = limit if not _count(asked) else min(int(asked), limit)
    n = body.get("n")
    return per_choice * (int(n) if _count(n) else 1)


def max_cost(price: Price | None, prompt_tokens: int, output_tokens: int) -> int:
    """Nano-dollars, rounded up; 0 for a model without a price (a local model, say)."""
    if price is None:
        return 0
    return cost_nanos(price, prompt_tokens, output_tokens)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0

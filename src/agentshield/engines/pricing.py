"""Model prices and the cost of a call, in integer nano-dollars.

The shipped list (data/prices.json) seeds the `model_prices` table; admins edit it there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from agentshield.engines.money import cost_of_tokens, parse_usd

# A dated or preview variant of a priced model: gpt-4o-2024-08-06, gpt-4-turbo-preview.
_VARIANT_SUFFIX = re.compile(r"(-(\d{4}-\d{2}-\d{2}|\d{4}|preview|latest))+")


@dataclass(frozen=True, slots=True)
class Price:
    """Nano-dollars per million tokens; cached input falls back to the input price."""

    model: str
    input_per_mtok: int
    output_per_mtok: int
    cached_input_per_mtok: int | None = None


def load_price_list() -> list[Price]:
    raw = resources.files("agentshield.engines").joinpath("data", "prices.json").read_text("utf-8")
    models = json.loads(raw)["models"]
    return [
        Price(
            model=model,
            input_per_mtok=parse_usd(entry["input"]),
            output_per_mtok=parse_usd(entry["output"]),
            cached_input_per_mtok=(
                parse_usd(entry["cached_input"]) if "cached_input" in entry else None
            ),
        )
        for model, entry in models.items()
    ]


def cost_nanos(
    price: Price, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0
) -> int:
    """What a call costs. `cached_tokens` are the part of `prompt_tokens` read from the
    provider's prompt cache (OpenAI's `prompt_tokens_details.cached_tokens`).

    Each part is rounded up to the next nano-dollar, so a charge is never under the price.
    """
    if min(prompt_tokens, completion_tokens, cached_tokens) < 0:
        raise ValueError("token counts must not be negative")
    if cached_tokens > prompt_tokens:
        raise ValueError("cached_tokens are part of prompt_tokens and cannot exceed them")
    cached_price = price.cached_input_per_mtok
    if cached_price is None:
        cached_price = price.input_per_mtok
    return (
        cost_of_tokens(prompt_tokens - cached_tokens, price.input_per_mtok)
        + cost_of_tokens(cached_tokens, cached_price)
        + cost_of_tokens(completion_tokens, price.output_per_mtok)
    )


def match_price(prices_by_model: Mapping[str, Price], model: str) -> Price | None:
    """The price of `model`: exact, else the longest priced name it is a dated variant of.

    'gpt-4o-2024-08-06' -> gpt-4o and 'openai/gpt-4o-mini' -> gpt-4o-mini, but 'o1-pro'
    never falls back to o1: a different model is not priced like its namesake.
    """
    candidates = [model, model.lower()]
    if "/" in model:
        candidates.append(model.rsplit("/", 1)[-1].lower())
    for name in candidates:
        if name in prices_by_model:
            return prices_by_model[name]
    name = candidates[-1]
    best: str | None = None
    for priced in prices_by_model:
        suffix = name[len(priced) :]
        if (
            name.startswith(priced)
            and _VARIANT_SUFFIX.fullmatch(suffix)
            and (best is None or len(priced) > len(best))
        ):
            best = priced
    return prices_by_model[best] if best is not None else None

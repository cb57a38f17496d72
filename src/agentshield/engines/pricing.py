"""Model prices and the cost of a call, in integer nano-dollars.

The shipped list (data/prices.json) seeds the `model_prices` table; admins edit it there.
Generated images are priced per image by quality and size from data/image_prices.json
(OpenAI's published figures), shipped with the code and not editable at run time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from agentshield.engines.money import cost_of_tokens, parse_usd

# A dated or preview variant of a priced model: gpt-4o-2024-08-06, gpt-4-turbo-preview.
_VARIANT_SUFFIX = re.compile(r"(-(\d{4}-\d{2}-\d{2}|\d{4}|preview|latest))+")
AUTO = "auto"  # an image size or quality the provider chooses

T = TypeVar("T")


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


def match_price(prices_by_model: Mapping[str, T], model: str) -> T | None:
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


@dataclass(frozen=True, slots=True)
class ImagePrice:
    """Nano-dollars per generated image, by quality then size; what a request that names
    neither gets is the model's default (which may be `auto`)."""

    model: str
    default_quality: str
    default_size: str
    per_image: Mapping[str, Mapping[str, int]]


class ImageOptionError(ValueError):
    """A size or quality the model does not offer; `param` names the field."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


def load_image_prices() -> dict[str, ImagePrice]:
    raw = resources.files("agentshield.engines").joinpath("data", "image_prices.json")
    models: dict[str, Any] = json.loads(raw.read_text("utf-8"))["models"]
    return {
        model: ImagePrice(
            model=model,
            default_quality=entry["default_quality"],
            default_size=entry["default_size"],
            per_image={
                quality: {size: parse_usd(usd) for size, usd in sizes.items()}
                for quality, sizes in entry["prices"].items()
            },
        )
        for model, entry in models.items()
    }


def image_unit_price(price: ImagePrice, quality: str | None, size: str | None) -> int:
    """The most one image can cost at `quality` and `size` (None: the model's default;
    `auto`: the dearest the provider may choose). Raises ImageOptionError for a quality or
    a size the model does not offer."""
    quality = quality or price.default_quality
    size = size or price.default_size
    qualities = list(price.per_image) if quality == AUTO else [quality]
    if any(q not in price.per_image for q in qualities):
        offered = ", ".join([*price.per_image, AUTO])
        raise ImageOptionError(
            "quality", f"{price.model} offers no quality {quality!r}; choose one of: {offered}."
        )
    figures = [
        figure
        for q in qualities
        for offered_size, figure in price.per_image[q].items()
        if size in (AUTO, offered_size)
    ]
    if not figures:
        sizes = sorted({s for q in qualities for s in price.per_image[q]})
        raise ImageOptionError(
            "size",
            f"{price.model} offers no size {size!r} at quality {quality!r}; "
            f"choose one of: {', '.join([*sizes, AUTO])}.",
        )
    return max(figures)

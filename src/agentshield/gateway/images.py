"""`POST /v1/images/generations`: what the gateway checks in the body before any guard.

The call itself goes the way of a chat completion (authentication, guards, upstream,
charge, audit: `routes.GatewayRoutes`); the prompt is read by the PII guard like a
message (`message_text.request_slots`). A model with a per-image price
(`engines/data/image_prices.json`) only takes the sizes and qualities it is priced for:
anything else is a 422 before a guard runs or a cent is reserved. A model without one
(a local image model, say) is forwarded as asked and costs nothing.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from agentshield.engines.pricing import ImageOptionError, ImagePrice, image_unit_price
from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import InvalidField
from agentshield.gateway.prices import PriceBook
from agentshield.gateway.validate import _model as model_of

IMAGES = "images.generations"
MAX_IMAGES = 10  # OpenAI's limit on `n`


def check_images(body: dict[str, Any]) -> str:
    """The requested model of a valid image generation request."""
    model = model_of(body)
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidField("prompt", "'prompt' is required and must be a non-empty string.")
    n = body.get("n")
    if n is not None and (type(n) is not int or not 1 <= n <= MAX_IMAGES):
        raise InvalidField("n", f"'n' must be an integer from 1 to {MAX_IMAGES}.")
    for field in ("size", "quality"):
        if body.get(field) is not None and not isinstance(body[field], str):
            raise InvalidField(field, f"'{field}' must be a string.")
    if body.get("stream"):
        raise InvalidField("stream", "Streamed image generation is not supported; omit 'stream'.")
    return model


def check_image_options(ctx: RequestContext, prices: PriceBook) -> None:
    """422 for a size or quality the (alias-resolved) model is not priced for."""
    price = prices.image_price(ctx.model or "")
    if price is not None:
        requested_unit_price(price, ctx.body)


def requested_unit_price(price: ImagePrice, body: dict[str, Any]) -> int:
    """The most one image of this request can cost (InvalidField for an unknown option)."""
    try:
        return image_unit_price(price, _option(body, "quality"), _option(body, "size"))
    except ImageOptionError as error:
        raise InvalidField(error.param, str(error)) from None


def images_requested(body: dict[str, Any]) -> int:
    n = body.get("n")
    return n if type(n) is int and n > 0 else 1


def images_returned(response: dict[str, Any] | None) -> int:
    data = (response or {}).get("data")
    return len(data) if isinstance(data, list) else 0


def images_cost(ctx: RequestContext, prices: PriceBook, count: int) -> int:
    """`count` images at the request's size and quality; once answered, at the size and
    quality the provider reports choosing (gpt-image-1 does), when it reports them."""
    price = prices.image_price(ctx.model or "")
    if price is None or count == 0:
        return 0
    unit = requested_unit_price(price, ctx.body)
    answer = ctx.response or {}
    chosen = (_option(answer, "quality"), _option(answer, "size"))
    if any(chosen):
        quality = chosen[0] or _option(ctx.body, "quality")
        size = chosen[1] or _option(ctx.body, "size")
        with suppress(ImageOptionError):  # an option we do not know: charged as requested
            unit = image_unit_price(price, quality, size)
    return unit * count


def _option(source: dict[str, Any], field: str) -> str | None:
    value = source.get(field)
    return value if isinstance(value, str) else None

"""What a call used and cost, measured once the upstream answered (or failed).

Usage comes from the upstream's `usage` when it reports one (the body, or the final chunk
of a stream with `stream_options.include_usage`); otherwise it is counted with
`engines.tokens` from the request and the text returned, and marked estimated. The price
comes from the in-memory PriceBook. `measure` is idempotent: the budget guard settles with
it and the cost guard records with it, whichever runs first, and both see the same charge.
A stream's usage chunk is taken by the relay (`streaming.py`) for every guard alike.

What a call costs, in one place (docs/pricing.md):
- tokens in and out at the model's price; images in the prompt are prompt tokens
  (`engines.images`) when the upstream reports no usage;
- one execution of a priced tool (`tool_definitions`) per tool call the model returned;
- `images.generations`: the per-image price of the size and quality, times the images
  returned (and nothing per token, which would count them twice).
`maximum` is the most a call can cost, what the budget guard reserves: the same parts
with the longest reply the request allows, one execution of each priced tool offered, and
`n` images at the dearest size and quality the request allows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from agentshield.engines import tokens
from agentshield.engines.budget.estimate import max_cost, max_output_tokens
from agentshield.engines.images import message_image_tokens
from agentshield.engines.tool_pricing import (
    offered_tools,
    returned_calls,
    streamed_calls,
    tools_cost,
)
from agentshield.gateway.context import RequestContext, Usage
from agentshield.gateway.images import IMAGES, images_cost, images_requested, images_returned
from agentshield.gateway.prices import PriceBook

# ctx.scratch keys: the tool calls a stream opened, by (choice index, call index); and
# whether `measure` ran (the call has ended: what it used and cost cannot change).
STREAMED_CALLS = "charge.tool_calls"
MEASURED = "charge.measured"


def measure_usage(ctx: RequestContext) -> Usage:
    """Set `ctx.usage` from what the call did (a stream's usage chunk is already there)."""
    if ctx.endpoint == IMAGES:
        usage = (ctx.response or {}).get("usage")
        if isinstance(usage, dict):  # gpt-image-1 reports input_tokens and output_tokens
            input_tokens = int(usage.get("input_tokens") or 0)
            ctx.usage = Usage(input_tokens, int(usage.get("output_tokens") or 0))
    elif ctx.response is not None and ctx.response.get("usage"):
        ctx.usage = reported(ctx.response["usage"])
    elif _unreported(ctx.usage) and _upstream_answered(ctx) and ctx.model:
        ctx.usage = _estimate(ctx)
    return ctx.usage


def measure(ctx: RequestContext, prices: PriceBook) -> None:
    """Set `ctx.usage` and `ctx.cost_nanos` from what the call did (once: the guards that
    ask after the first get the same)."""
    if MEASURED in ctx.scratch:
        return
    ctx.scratch[MEASURED] = True
    measure_usage(ctx)
    if not ctx.model:
        return
    if ctx.endpoint == IMAGES:
        ctx.cost_nanos = images_cost(ctx, prices, images_returned(ctx.response))
        return
    usage = ctx.usage
    ctx.cost_nanos = prices.cost(
        ctx.model, usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens
    ) + tools_cost(_called_tools(ctx), _tool_price(ctx, prices))


def maximum(ctx: RequestContext, prices: PriceBook) -> tuple[int, int]:
    """(nano-dollars, tokens): the most the call can cost, known before it is sent.

    Raises InvalidField (422) for an image size or quality the model does not offer."""
    model = ctx.model or ""
    if ctx.endpoint == IMAGES:
        return images_cost(ctx, prices, images_requested(ctx.body)), 0
    prompt = prompt_tokens(ctx)
    output = 0 if ctx.endpoint == "embeddings" else max_output_tokens(model, ctx.body)
    nanos = max_cost(prices.price(model), prompt, output)
    if ctx.endpoint != "embeddings":
        nanos += tools_cost(offered_tools(ctx.body), _tool_price(ctx, prices))
    return nanos, prompt + output


def note_streamed_calls(ctx: RequestContext, choice: Mapping[str, Any]) -> None:
    """Remember the tool calls a streamed chunk's choice opens (called by the relay)."""
    for key, name in streamed_calls(choice):
        ctx.scratch.setdefault(STREAMED_CALLS, {})[key] = name


def _called_tools(ctx: RequestContext) -> list[str]:
    if ctx.stream:
        return list(ctx.scratch.get(STREAMED_CALLS, {}).values())
    return returned_calls(ctx.response)


def _tool_price(ctx: RequestContext, prices: PriceBook) -> Callable[[str], int | None]:
    tenant_id = ctx.caller.tenant_id if ctx.caller is not None else None
    return lambda name: prices.tools.price(tenant_id, name)


def reported(usage: dict[str, Any]) -> Usage:
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = usage.get("completion_tokens")
    if completion is None:  # embeddings report prompt and total only
        completion = int(usage.get("total_tokens") or prompt) - prompt
    details = usage.get("prompt_tokens_details") or {}
    cached = int(details.get("cached_tokens") or 0)
    return Usage(prompt_tokens=prompt, completion_tokens=int(completion), cached_tokens=cached)


def _unreported(usage: Usage) -> bool:
    return usage.prompt_tokens == 0 and usage.completion_tokens == 0


def _upstream_answered(ctx: RequestContext) -> bool:
    """Whether the provider did work worth charging: it answered, or streamed some of it."""
    if ctx.response is not None or ctx.streamed_text:
        return True
    return ctx.stream and ctx.upstream_ms is not None and ctx.status_code < 400


def prompt_tokens(ctx: RequestContext) -> int:
    """The request's input tokens, counted offline: messages and their images, embeddings
    input, or an image generation's prompt."""
    model = ctx.model or ""
    if ctx.endpoint == "embeddings":
        return tokens.count_input(model, ctx.body.get("input"))
    if ctx.endpoint == IMAGES:
        prompt = ctx.body.get("prompt")
        return tokens.count_text(model, prompt) if isinstance(prompt, str) else 0
    messages = ctx.body.get("messages") or []
    return tokens.count_messages(model, messages) + message_image_tokens(model, messages)


def _estimate(ctx: RequestContext) -> Usage:
    assert ctx.model is not None
    prompt = prompt_tokens(ctx)
    if ctx.endpoint == "embeddings":
        return Usage(prompt_tokens=prompt, completion_tokens=0, estimated=True)
    text = "".join(ctx.streamed_text) if ctx.stream else _response_text(ctx.response)
    return Usage(prompt, tokens.count_text(ctx.model, text), estimated=True)


def _response_text(response: dict[str, Any] | None) -> str:
    """The text a completion returned: message contents and tool-call arguments."""
    parts: list[str] = []
    for choice in (response or {}).get("choices") or []:
        message = choice.get("message") or {}
        if isinstance(message.get("content"), str):
            parts.append(message["content"])
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            parts.append(str(function.get("name") or ""))
            parts.append(str(function.get("arguments") or ""))
    return "".join(parts)

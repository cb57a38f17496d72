"""What a call used and cost, measured once the upstream answered (or failed).

Usage comes from the upstream's `usage` when it reports one (the body, or the final chunk
of a stream with `stream_options.include_usage`); otherwise it is counted with
`engines.tokens` from the request and the text returned, and marked estimated. The price
comes from the in-memory PriceBook. `measure` is idempotent: the budget guard settles with
it and the cost guard records with it, whichever runs first, and both see the same charge.
A stream's usage chunk is taken by the relay (`streaming.py`) for every guard alike.
"""

from __future__ import annotations

from typing import Any

from agentshield.engines import tokens
from agentshield.gateway.context import RequestContext, Usage
from agentshield.gateway.prices import PriceBook


def measure_usage(ctx: RequestContext) -> Usage:
    """Set `ctx.usage` from what the call did (a stream's usage chunk is already there)."""
    if ctx.response is not None and ctx.response.get("usage"):
        ctx.usage = reported(ctx.response["usage"])
    elif _unreported(ctx.usage) and _upstream_answered(ctx) and ctx.model:
        ctx.usage = _estimate(ctx)
    return ctx.usage


def measure(ctx: RequestContext, prices: PriceBook) -> None:
    """Set `ctx.usage` and `ctx.cost_nanos` from what the call did."""
    measure_usage(ctx)
    if ctx.model:
        usage = ctx.usage
        ctx.cost_nanos = prices.cost(
            ctx.model, usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens
        )


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
    """The request's input tokens, counted offline: messages, or embeddings input."""
    model = ctx.model or ""
    if ctx.endpoint == "embeddings":
        return tokens.count_input(model, ctx.body.get("input"))
    return tokens.count_messages(model, ctx.body.get("messages") or [])


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

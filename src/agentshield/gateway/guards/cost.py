"""The charge of a call, and its `requests` row.

Usage comes from the upstream's `usage` when it reports one (the body, or the final chunk
of a stream with `stream_options.include_usage`); otherwise it is counted with
`engines.tokens` from the request and the text returned, and marked estimated. The price
comes from the in-memory PriceBook, so the response path makes no database round trip:
the row goes to the batching RequestLog.
"""

from __future__ import annotations

from typing import Any

from agentshield.engines import tokens
from agentshield.engines.money import to_usd_string
from agentshield.gateway.context import RequestContext, Usage
from agentshield.gateway.prices import PriceBook
from agentshield.store.usage import RequestLog

COST_HEADER = "x-agentshield-cost"


class CostGuard:
    name = "cost"

    def __init__(self, prices: PriceBook, log: RequestLog) -> None:
        self._prices = prices
        self._log = log

    async def on_request(self, ctx: RequestContext) -> None:
        return None

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        usage = chunk.get("usage")
        if usage:
            ctx.usage = _reported(usage)
        return [chunk]

    async def on_response(self, ctx: RequestContext) -> None:
        caller = ctx.caller
        if caller is None:
            return
        if ctx.response is not None and ctx.response.get("usage"):
            ctx.usage = _reported(ctx.response["usage"])
        elif _unreported(ctx.usage) and _upstream_answered(ctx) and ctx.model:
            ctx.usage = _estimate(ctx)
        if ctx.model:
            usage = ctx.usage
            ctx.cost_nanos = self._prices.cost(
                ctx.model, usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens
            )
        ctx.response_headers[COST_HEADER] = to_usd_string(ctx.cost_nanos)
        self._log.put(
            {
                "tenant_id": caller.tenant_id,
                "trace_id": ctx.trace_id,
                "key_id": caller.key_id,
                "user_id": caller.user_id,
                "department_id": caller.department_id,
                "project_id": caller.project_id,
                "endpoint": ctx.endpoint,
                "model": ctx.model,
                "provider": ctx.provider,
                "stream": ctx.stream,
                "prompt_tokens": ctx.usage.prompt_tokens,
                "completion_tokens": ctx.usage.completion_tokens,
                "cost_nanos": ctx.cost_nanos,
                "latency_ms": round(ctx.elapsed_ms(), 3),
                "upstream_latency_ms": ctx.upstream_ms,
                "status_code": ctx.status_code,
                "decision": ctx.decision,
                "error_type": ctx.error_type,
            }
        )


def _reported(usage: dict[str, Any]) -> Usage:
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


def _estimate(ctx: RequestContext) -> Usage:
    assert ctx.model is not None
    if ctx.endpoint == "embeddings":
        prompt = tokens.count_input(ctx.model, ctx.body.get("input"))
        return Usage(prompt_tokens=prompt, completion_tokens=0, estimated=True)
    prompt = tokens.count_messages(ctx.model, ctx.body.get("messages") or [])
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

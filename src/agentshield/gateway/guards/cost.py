"""The charge of a call, and its `requests` row.

What the call used and cost is measured by `gateway.charge` (shared with the budget guard)
from the in-memory PriceBook, so the response path makes no database round trip: the row
goes to the batching RequestLog.
"""

from __future__ import annotations

from typing import Any

from agentshield.engines.money import to_usd_string
from agentshield.gateway.charge import measure
from agentshield.gateway.context import RequestContext
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
        return [chunk]

    async def on_response(self, ctx: RequestContext) -> None:
        caller = ctx.caller
        if caller is None:
            return
        measure(ctx, self._prices)
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

"""One audit event per authenticated call, built from the context: metadata only.

Never prompt or response text: model, provider, outcome, token counts, cost, the findings'
metadata (which carry hashes, never values) and who called, by key prefix. Listed last in
`settings.guards`, so that it sees every other guard's findings and the final charge.
"""

from __future__ import annotations

from typing import Any

from agentshield.gateway.context import RequestContext
from agentshield.store.audit import AuditEvent
from agentshield.store.usage import AuditLog

EVENT_TYPE = "gateway.request"


class AuditGuard:
    name = "audit"

    def __init__(self, log: AuditLog) -> None:
        self._log = log

    async def on_request(self, ctx: RequestContext) -> None:
        return None

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        return [chunk]

    async def on_response(self, ctx: RequestContext) -> None:
        caller = ctx.caller
        if caller is None:
            return
        data: dict[str, Any] = {
            "endpoint": ctx.endpoint,
            "model": ctx.model,
            "provider": ctx.provider,
            "stream": ctx.stream,
            "status": ctx.status_code,
            "decision": ctx.decision,
            "error_type": ctx.error_type,
            "prompt_tokens": ctx.usage.prompt_tokens,
            "completion_tokens": ctx.usage.completion_tokens,
            "tokens_estimated": ctx.usage.estimated,
            "cost_nanos": ctx.cost_nanos,
            "key_prefix": caller.key_prefix,
            "key_id": str(caller.key_id),
            "user_id": str(caller.user_id),
            "findings": [finding.as_metadata() for finding in ctx.findings],
        }
        event = AuditEvent(
            actor=caller.key_prefix, event_type=EVENT_TYPE, trace_id=ctx.trace_id, data=data
        )
        self._log.put(caller.tenant_id, event)

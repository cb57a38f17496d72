"""The gateway's contract: who is calling, what they asked, what guards found and decided.

Guards and routes depend on this module, not on each other. The audit entry, the response
headers and the `requests` row are all built from a context's findings and decision.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from agentshield.engines.findings import Finding
from agentshield.engines.identity import Caller


@dataclass(slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated: bool = False  # True when counted by us because upstream sent no usage
    cached_tokens: int = 0  # the part of prompt_tokens read from the provider's prompt cache


@dataclass(slots=True)
class RequestContext:
    trace_id: str
    endpoint: str  # "chat.completions", "embeddings", "models"
    headers: dict[str, str]  # lower-cased request headers
    body: dict[str, Any] = field(default_factory=dict)  # parsed request; guards may rewrite
    caller: Caller | None = None
    model: str | None = None  # the model asked for (after alias resolution)
    provider: str | None = None
    stream: bool = False
    response: dict[str, Any] | None = None  # non-streamed upstream response body
    usage: Usage = field(default_factory=Usage)
    cost_nanos: int = 0
    status_code: int = 200
    decision: str = "allow"  # allow | redact | flag | block | hold | error
    error_type: str | None = None
    findings: list[Finding] = field(default_factory=list)
    response_headers: dict[str, str] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    upstream_ms: float | None = None
    # Text streamed to the client, accumulated for guards that need it (e.g. token counting).
    streamed_text: list[str] = field(default_factory=list)
    tenant_settings: dict[str, Any] = field(default_factory=dict)
    # Guards' own state for this request, by guard name (e.g. the PII restore map); it
    # goes with the request and is never stored.
    scratch: dict[str, Any] = field(default_factory=dict)

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000.0


class Guard(Protocol):
    """One step of the pipeline. Holds no HTTP or SQL of its own."""

    name: str

    async def on_request(self, ctx: RequestContext) -> None:
        """May rewrite ctx.body, add findings, or raise Blocked / Held."""

    async def on_response(self, ctx: RequestContext) -> None:
        """Runs after the upstream answered (or failed), also for streamed responses."""

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        """Sees each parsed SSE chunk; returns the chunks to send (may hold text back)."""
        ...

"""Relaying a streamed completion: upstream SSE payloads → chunk guards → client SSE events.

The upstream's first payload is read before the response starts (see routes), so refusals
still answer with their own status. Once streaming, an upstream failure becomes a final
`data: {"error": …}` event, which the openai SDK raises as an APIError. A client that goes
away cancels the relay: closing the upstream generator closes its connection, and the
provider stops generating. The pipeline's `on_response` runs after the last byte, either way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import orjson
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from agentshield.gateway.charge import note_streamed_calls, reported
from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import GatewayError, UpstreamError
from agentshield.gateway.metrics import Metrics
from agentshield.gateway.pipeline import Pipeline, apply_error

DONE = b"data: [DONE]\n\n"
log = logging.getLogger("agentshield.gateway")


class Relay:
    def __init__(
        self,
        ctx: RequestContext,
        pipeline: Pipeline,
        metrics: Metrics,
        upstream: AsyncGenerator[bytes, None],
        first: bytes | None,
        upstream_started: float,
    ) -> None:
        self._ctx = ctx
        self._pipeline = pipeline
        self._metrics = metrics
        self._upstream = upstream
        self._first = first
        self._upstream_started = upstream_started
        self._events = self._relay()

    def response(
        self, headers: dict[str, str], finish: Callable[[], Awaitable[None]]
    ) -> StreamingResponse:
        async def close_then_finish() -> None:
            # The response may end without exhausting the relay (client gone): close it
            # here rather than leave the upstream connection to the garbage collector.
            await self._events.aclose()
            await finish()

        return StreamingResponse(
            self._events,
            # x-accel-buffering: a reverse proxy (nginx) must pass each event on at once.
            headers={"cache-control": "no-cache", "x-accel-buffering": "no", **headers},
            media_type="text/event-stream",
            background=BackgroundTask(close_then_finish),
        )

    async def _relay(self) -> AsyncGenerator[bytes, None]:
        ctx = self._ctx
        try:
            if self._first is not None:
                yield self._events_of(self._first)
                async for payload in self._upstream:
                    events = self._events_of(payload)
                    if events:
                        yield events
            tail = self._pipeline.on_stream_end(ctx)
            if tail:
                yield self._sse(tail)
            yield DONE
        except UpstreamError as error:
            self._metrics.upstream_errors.labels(error.provider, str(error.status)).inc()
            apply_error(ctx, error)
            yield b"data: " + error.render() + b"\n\n"
        except GatewayError as error:
            apply_error(ctx, error)
            yield b"data: " + error.render() + b"\n\n"
        except Exception as exc:
            log.exception("stream relay failed (trace %s)", ctx.trace_id)
            error = GatewayError(f"The stream failed; trace id {ctx.trace_id}.")
            error.__cause__ = exc
            apply_error(ctx, error)
            yield b"data: " + error.render() + b"\n\n"
        finally:
            ctx.upstream_ms = (time.perf_counter() - self._upstream_started) * 1000.0
            await self._upstream.aclose()

    def _events_of(self, payload: bytes) -> bytes:
        ctx = self._ctx
        try:
            chunk = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            raise UpstreamError(
                ctx.provider or "?", "sent a stream chunk that is not JSON"
            ) from exc
        if not isinstance(chunk, dict):
            raise UpstreamError(ctx.provider or "?", "sent a stream chunk that is not an object")
        if "error" in chunk and not chunk.get("choices"):
            # The provider failed mid-stream and said so: pass its words on, record the failure.
            ctx.status_code, ctx.decision, ctx.error_type = 502, "error", "upstream_error"
            self._metrics.upstream_errors.labels(ctx.provider or "?", "stream").inc()
        return self._sse(self._pipeline.on_stream_chunk(ctx, chunk))

    def _sse(self, chunks: list[dict[str, Any]]) -> bytes:
        out = []
        for emitted in chunks:
            _collect_text(self._ctx, emitted)
            out.append(b"data: " + orjson.dumps(emitted) + b"\n\n")
        return b"".join(out)


def _collect_text(ctx: RequestContext, chunk: dict[str, Any]) -> None:
    usage = chunk.get("usage")
    if isinstance(usage, dict) and usage:
        ctx.usage = reported(usage)
    for choice in chunk.get("choices") or ():
        note_streamed_calls(ctx, choice)  # tool calls are charged per call
        delta = choice.get("delta") or {}
        content = delta.get("content")
        if content:
            ctx.streamed_text.append(content)
        for call in delta.get("tool_calls") or ():
            function = call.get("function") or {}
            for part in (function.get("name"), function.get("arguments")):
                if part:
                    ctx.streamed_text.append(part)

"""Outermost ASGI middleware: a trace id on every response, and the request metrics.

It sits outside routing so that 404s, 405s and unhandled errors carry the trace id too.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agentshield.engines.ids import uuid7
from agentshield.gateway.metrics import Metrics

TRACE_HEADER = b"x-agentshield-trace-id"
TRACE_SCOPE_KEY = "agentshield.trace_id"
log = logging.getLogger("agentshield.gateway")


class LabelledRoute(Route):
    """A Route that puts itself in the scope, as FastAPI's routes do, so that metrics are
    labelled by route template (bounded), never by raw path."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope


class TraceMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        trace = uuid7().hex
        scope[TRACE_SCOPE_KEY] = trace
        header = (TRACE_HEADER, trace.encode())
        status = 500
        response_started = False

        async def send_with_trace(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_trace)
        except Exception:
            # Answered here, not by the framework, whose 500 would carry no trace id.
            log.exception("unhandled error (trace %s)", trace)
            if response_started:
                raise  # too late to answer: the server drops the connection
            await _internal_error(send_with_trace, trace)
        finally:
            route: Any = scope.get("route")
            endpoint = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(endpoint, str(status)).inc()
            self.metrics.latency.labels(endpoint).observe(time.perf_counter() - started)


async def _internal_error(send: Send, trace: str) -> None:
    message = f"Internal error; quote trace id {trace} when reporting it."
    body = orjson.dumps(
        {
            "error": {
                "message": message,
                "type": "server_error",
                "code": "internal_error",
                "param": None,
            }
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

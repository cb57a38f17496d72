"""The outermost middleware answers an unhandled error itself, with the trace id."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from agentshield.gateway.metrics import Metrics
from agentshield.gateway.middleware import TraceMiddleware


async def broken_app(scope: Any, receive: Any, send: Any) -> None:
    raise RuntimeError("a bug")


async def call(app: Any) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": []}
    await TraceMiddleware(app, Metrics())(scope, receive, send)
    return sent


async def test_an_unhandled_error_is_a_500_in_openai_shape_with_the_trace_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    start, body = await call(broken_app)
    assert start["status"] == 500
    trace = dict(start["headers"])[b"x-agentshield-trace-id"].decode()
    error = orjson.loads(body["body"])["error"]
    assert error["code"] == "internal_error"
    assert trace in error["message"]
    assert trace in caplog.text and "a bug" in caplog.text


async def test_an_error_after_the_response_started_propagates() -> None:
    async def half_then_broken(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("mid-stream bug")

    with pytest.raises(RuntimeError, match="mid-stream bug"):
        await call(half_then_broken)

"""The proxy routes: `/v1/chat/completions`, `/v1/embeddings`, `/v1/images/generations`,
`/v1/models`.

Plain Starlette endpoints (orjson, no pydantic on the hot path). One call goes:
authenticate → read and check the body → resolve the model → guards' `on_request` →
upstream → guards' `on_response` → answer. Errors after authentication still run
`on_response`, so every authenticated call leaves its `requests` row and audit entry.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import GatewayError, UpstreamError
from agentshield.gateway.images import IMAGES, check_image_options, check_images
from agentshield.gateway.metrics import Metrics
from agentshield.gateway.middleware import TRACE_SCOPE_KEY, LabelledRoute
from agentshield.gateway.pipeline import Pipeline, apply_error
from agentshield.gateway.prices import PriceBook
from agentshield.gateway.streaming import Relay
from agentshield.gateway.upstream import Router, Target
from agentshield.gateway.validate import check_chat, check_embeddings, read_json

JSON = "application/json"
DECISION_HEADER = "x-agentshield-decision"
log = logging.getLogger("agentshield.gateway")

Check = Callable[[dict[str, Any]], str]


class GatewayRoutes:
    def __init__(
        self,
        pipeline: Pipeline,
        router: Router,
        metrics: Metrics,
        max_body_bytes: int,
        prices: PriceBook | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._prices = prices or PriceBook()  # image sizes and qualities are checked on it
        self._router = router
        self._metrics = metrics
        self._limit = max_body_bytes
        models = [
            {"id": name, "object": "model", "created": 0, "owned_by": router.resolve(name).provider}
            for name in router.model_names()
        ]
        self._models_body = orjson.dumps({"object": "list", "data": models})

    def routes(self) -> list[LabelledRoute]:
        return [
            LabelledRoute("/v1/chat/completions", self.chat_completions, methods=["POST"]),
            LabelledRoute("/v1/embeddings", self.embeddings, methods=["POST"]),
            LabelledRoute("/v1/images/generations", self.images, methods=["POST"]),
            LabelledRoute("/v1/models", self.models, methods=["GET"]),
        ]

    async def chat_completions(self, request: Request) -> Response:
        return await self._proxy(request, "chat.completions", check_chat)

    async def embeddings(self, request: Request) -> Response:
        return await self._proxy(request, "embeddings", check_embeddings)

    async def images(self, request: Request) -> Response:
        return await self._proxy(request, IMAGES, check_images)

    async def models(self, request: Request) -> Response:
        ctx = _context(request, "models")
        try:
            await self._pipeline.authenticate(ctx)
        except GatewayError as error:
            return self._error_response(ctx, error)
        return await self._finish(ctx, None, self._models_body)

    async def _proxy(self, request: Request, endpoint: str, check: Check) -> Response:
        ctx = _context(request, endpoint)
        try:
            await self._pipeline.authenticate(ctx)
        except GatewayError as error:
            return self._error_response(ctx, error)
        try:
            ctx.body = await read_json(request, ctx.headers, self._limit)
            requested = check(ctx.body)
            chat = endpoint == "chat.completions"
            ctx.stream = chat and ctx.body.get("stream") is True
            target = self._target(ctx, requested)
            if endpoint == IMAGES:
                check_image_options(ctx, self._prices)
            await self._pipeline.on_request(ctx)
            if ctx.stream:
                return await self._stream(ctx, target)
            call = {
                "chat.completions": target.client.chat,
                "embeddings": target.client.embeddings,
                IMAGES: target.client.images,
            }[endpoint]
            ctx.response = await self._call_upstream(ctx, call)
        except GatewayError as error:
            apply_error(ctx, error)
            return await self._finish(ctx, error)
        return await self._finish(ctx, None)

    def _target(self, ctx: RequestContext, requested: str) -> Target:
        target = self._router.resolve(requested)
        ctx.model = target.model
        ctx.provider = target.provider
        if target.model != requested:  # an alias: the provider knows the real name only
            ctx.body["model"] = target.model
        return target

    async def _call_upstream(
        self, ctx: RequestContext, call: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            return await call(ctx.body)
        except UpstreamError as error:
            self._metrics.upstream_errors.labels(error.provider, str(error.status)).inc()
            raise
        finally:
            ctx.upstream_ms = (time.perf_counter() - started) * 1000.0

    async def _stream(self, ctx: RequestContext, target: Target) -> Response:
        started = time.perf_counter()
        upstream = target.client.chat_stream(ctx.body)
        try:
            # Read ahead one payload: a refusal must still answer with its own status.
            first = await anext(upstream, None)
        except UpstreamError as error:
            ctx.upstream_ms = (time.perf_counter() - started) * 1000.0
            self._metrics.upstream_errors.labels(error.provider, str(error.status)).inc()
            raise
        relay = Relay(ctx, self._pipeline, self._metrics, upstream, first, started)
        return relay.response(_decision_headers(ctx), lambda: self._finish_stream(ctx))

    async def _finish(
        self, ctx: RequestContext, error: GatewayError | None, body: bytes | None = None
    ) -> Response:
        try:
            await self._pipeline.on_response(ctx)
        except GatewayError as late:
            error = error or late
        self._metrics.decisions.labels(ctx.decision).inc()
        if error is not None:
            return self._error_response(ctx, error)
        if body is None:
            body = orjson.dumps(ctx.response)
        return Response(body, ctx.status_code, _decision_headers(ctx), JSON)

    async def _finish_stream(self, ctx: RequestContext) -> None:
        try:
            await self._pipeline.on_response(ctx)
        except GatewayError as error:
            # The response is sent; what the guard decided is in the row and the audit entry.
            log.warning("guard failed after a stream ended (trace %s): %s", ctx.trace_id, error)
        self._metrics.decisions.labels(ctx.decision).inc()

    def _error_response(self, ctx: RequestContext, error: GatewayError) -> Response:
        headers = {**_decision_headers(ctx), **error.headers}
        return Response(error.render(), error.status, headers, JSON)


def _context(request: Request, endpoint: str) -> RequestContext:
    scope = request.scope
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
    return RequestContext(trace_id=scope[TRACE_SCOPE_KEY], endpoint=endpoint, headers=headers)


def _decision_headers(ctx: RequestContext) -> dict[str, str]:
    if ctx.decision != "allow":
        ctx.response_headers[DECISION_HEADER] = ctx.decision
    return ctx.response_headers

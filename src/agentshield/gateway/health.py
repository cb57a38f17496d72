"""Liveness, readiness and Prometheus metrics for orchestrators and scrapers."""

from __future__ import annotations

import asyncio

import orjson
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response

from agentshield.gateway.metrics import Metrics
from agentshield.gateway.middleware import LabelledRoute
from agentshield.store.db import Database
from agentshield.store.migrate import SchemaError, check_current

READY_TIMEOUT = 5.0


class Health:
    def __init__(self, db: Database, metrics: Metrics) -> None:
        self._db = db
        self._metrics = metrics

    def routes(self) -> list[LabelledRoute]:
        return [
            LabelledRoute("/health", self.health, methods=["GET"]),
            LabelledRoute("/ready", self.ready, methods=["GET"]),
            LabelledRoute("/metrics", self.metrics, methods=["GET"]),
        ]

    async def health(self, request: Request) -> Response:
        return _json(200, {"status": "ok"})

    async def ready(self, request: Request) -> Response:
        """Ready when the database answers and its schema is the one the code needs."""
        try:
            await asyncio.wait_for(check_current(self._db), READY_TIMEOUT)
        except SchemaError as exc:
            return _json(503, {"status": "unavailable", "reason": str(exc)})
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            # The exception's type only: its text may quote the database URL.
            reason = f"database unreachable ({type(exc).__name__})"
            return _json(503, {"status": "unavailable", "reason": reason})
        return _json(200, {"status": "ready"})

    async def metrics(self, request: Request) -> Response:
        return Response(self._metrics.exposition(), 200, media_type=CONTENT_TYPE_LATEST)


def _json(status: int, body: dict[str, str]) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")

"""The composition root: `create_app(settings)` builds every shared object of one process.

Nothing here is module state: two apps in one process (as in tests) share nothing. What the
management API needs is on `app.state`: settings, db, keys (KeyResolver), request_log,
audit_log, key_usage, prices (PriceBook), router, metrics, tenant_config (TenantConfig),
pii_scanner and injection_detector (SharedDetector: loaded at start when the `injection`
guard is on, else by the first `POST /v1/scan`), stripe (StripeAccount, None when off).

Start-up fails closed with one clear line: an unknown guard or provider type, a missing
provider key, a database schema behind the code ("run `agentshield migrate`"), or the
injection model missing while its guard is on.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from agentshield.api import router as api_router
from agentshield.api.billing_stripe import open_stripe
from agentshield.engines.injection import InjectionEngineError, SharedDetector
from agentshield.engines.pii import PiiScanner
from agentshield.gateway.errors import UnknownRoute
from agentshield.gateway.fastpath import FastPath
from agentshield.gateway.health import Health
from agentshield.gateway.metrics import Metrics
from agentshield.gateway.middleware import TraceMiddleware
from agentshield.gateway.pipeline import Pipeline
from agentshield.gateway.prices import PriceBook
from agentshield.gateway.routes import GatewayRoutes
from agentshield.gateway.services import Services
from agentshield.gateway.upstream import Router
from agentshield.sdk.paths import calibration_path
from agentshield.settings import ConfigError, Settings, load_settings
from agentshield.store.budget import Budgets
from agentshield.store.counters import open_counters
from agentshield.store.db import Database
from agentshield.store.group_commit import GroupCommit
from agentshield.store.keys import KeyResolver
from agentshield.store.migrate import SchemaError, check_current
from agentshield.store.prices import seed_prices
from agentshield.store.spend_profiles import ProfileJob
from agentshield.store.spend_watch import SpendWatch
from agentshield.store.tenant_config import TenantConfig
from agentshield.store.usage import AuditLog, KeyUsage, RequestLog

log = logging.getLogger("agentshield")


def create_app(settings: Settings) -> FastAPI:
    db = Database(settings.database_url)
    batching = settings.usage.model_dump()
    commits = GroupCommit(db)  # the short writes of every call share transactions
    request_log = RequestLog(commits, **batching)
    audit_log = AuditLog(commits, **batching)
    key_usage = KeyUsage(commits, **batching)
    keys = KeyResolver(db, ttl=settings.key_cache_ttl)
    prices = PriceBook()
    router = Router(settings)
    tenant_config = TenantConfig(db)
    pii_scanner = PiiScanner()
    # Calibrated by `agentshield calibrate` on this machine, if it was run.
    injection_detector = SharedDetector(calibration_path())
    counters = open_counters(settings.redis_url, settings.redis_key_prefix)
    budgets = Budgets(
        db,
        commits,
        ttl=timedelta(seconds=settings.budget.reservation_ttl),
        sweep_every=settings.budget.sweep_interval,
        limits_ttl=settings.budget.limits_cache_ttl,
        lease_ttl=timedelta(seconds=settings.budget.lease_ttl),
    )
    spend_watch = SpendWatch(db)
    profile_job = ProfileJob(db)
    services = Services(
        settings,
        keys,
        key_usage,
        request_log,
        audit_log,
        prices,
        tenant_config,
        pii_scanner,
        injection_detector,
        counters,
        budgets,
        spend_watch,
    )
    pipeline = Pipeline.build(settings.guards, services)
    metrics = Metrics()
    stripe = open_stripe(settings.stripe)  # reads its secrets now: a missing one stops here

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.push_async_callback(db.dispose)
            stack.push_async_callback(commits.close)
            try:
                await check_current(db)
            except SchemaError as exc:
                log.error("%s", exc)
                raise ConfigError(str(exc)) from None
            async with db.transaction() as session:
                await seed_prices(session)
            await prices.load(db)
            if "injection" in settings.guards:
                try:  # ~0.3 s in a worker thread, so the loop stays free meanwhile
                    await asyncio.to_thread(injection_detector.get)
                except InjectionEngineError as exc:
                    log.error("%s", exc)
                    raise ConfigError(f"the injection guard cannot start: {exc}") from None
            # Closed in reverse: upstream connections first, then the writers flush
            # everything queued, then the database goes.
            for writer in (key_usage, audit_log, request_log):
                writer.start()
                stack.push_async_callback(writer.close)
            stack.push_async_callback(router.close)
            stack.push_async_callback(counters.close)
            if "budget" in settings.guards:  # only that guard makes reservations
                budgets.start()  # returns the holds of calls, and processes, that never ended
                stack.push_async_callback(budgets.close)
            if "anomaly" in settings.guards:  # folds each finished hour into users' profiles
                profile_job.start()
                stack.push_async_callback(profile_job.close)
            # What start-up built lives as long as the process: keep it out of the
            # collector's generations, so that full collections stay short under load.
            gc.freeze()
            yield

    app = FastAPI(
        title="AgentShield",
        lifespan=lifespan,
        docs_url="/docs" if settings.environment != "production" else None,
        redoc_url=None,
        # No OpenTelemetry here: spare every request FastAPI's checks for a provider.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.keys = keys
    app.state.request_log = request_log
    app.state.audit_log = audit_log
    app.state.key_usage = key_usage
    app.state.prices = prices
    app.state.router = router
    app.state.metrics = metrics
    app.state.tenant_config = tenant_config
    app.state.pii_scanner = pii_scanner
    app.state.injection_detector = injection_detector
    app.state.budgets = budgets
    app.state.spend_watch = spend_watch
    app.state.stripe = stripe

    gateway = GatewayRoutes(pipeline, router, metrics, settings.max_body_bytes, prices)
    proxy_routes = gateway.routes()
    app.router.routes[:0] = [*proxy_routes, *Health(db, metrics).routes()]
    app.include_router(api_router)
    app.add_exception_handler(HTTPException, _unknown_route)
    app.add_middleware(FastPath, routes=proxy_routes)
    app.add_middleware(TraceMiddleware, metrics=metrics)  # added last: the outer one
    return app


async def _unknown_route(request: Request, exc: Exception) -> Response:
    """404 and 405 from the router, in OpenAI's error shape like every other /v1 answer."""
    assert isinstance(exc, HTTPException)
    if exc.status_code not in (404, 405):
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    error = UnknownRoute(exc.status_code, request.method, request.url.path)
    return Response(error.render(), error.status, exc.headers, "application/json")


def create_app_from_env() -> FastAPI:
    """For `uvicorn --factory agentshield.server:create_app_from_env`."""
    return create_app(load_settings())

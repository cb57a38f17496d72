"""The guard pipeline: authentication, then the guards named by `settings.guards`, in order.

Guards are registered here by name. An unknown name stops the app at start (fail closed).

For one call:
- `authenticate` runs first; a call that fails it has no tenant to charge and leaves no row.
- `on_request` runs guard by guard, in order; the first Blocked or Held stops the call.
- `on_stream_chunk` runs in order for each chunk; each guard sees what the one before emitted.
  A guard that holds text back may also have `on_stream_end(ctx) -> chunks`, called when
  the upstream's stream ends, to release what it still holds (guards after it see those).
- `on_response` runs in the same order for every authenticated call, whatever happened
  before (invalid body, a guard's block, upstream failure), as in DESIGN.md §1: output PII,
  then the charge, then `audit` (listed last) records the final state. A guard that fails
  there does not stop the others; the first failure is raised once all ran.

A tenant's settings row may later choose its own order among the built guards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from agentshield.gateway.context import Guard, RequestContext
from agentshield.gateway.errors import GatewayError
from agentshield.gateway.guards.anomaly import AnomalyGuard
from agentshield.gateway.guards.audit import AuditGuard
from agentshield.gateway.guards.auth import AuthGuard
from agentshield.gateway.guards.budget import BudgetGuard
from agentshield.gateway.guards.cost import CostGuard
from agentshield.gateway.guards.injection import InjectionGuard
from agentshield.gateway.guards.pii import PiiGuard
from agentshield.gateway.guards.ratelimit import RateLimitGuard
from agentshield.gateway.services import Services
from agentshield.settings import ConfigError

log = logging.getLogger("agentshield.gateway")

GuardFactory = Callable[[Services], Guard]

GUARDS: dict[str, GuardFactory] = {
    "anomaly": lambda s: AnomalyGuard(s.spend_watch, s.prices),
    "audit": lambda s: AuditGuard(s.audit_log),
    "budget": lambda s: BudgetGuard(s.budgets, s.prices),
    "cost": lambda s: CostGuard(s.prices, s.request_log),
    "pii": lambda s: PiiGuard(s.pii_scanner, s.tenant_config),
    "injection": lambda s: InjectionGuard(s.injection_detector, s.tenant_config),
    "ratelimit": lambda s: RateLimitGuard(
        s.counters,
        s.tenant_config,
        s.settings.rate_limits,
        s.settings.rate_limit_fail_open,
        s.spend_watch if "anomaly" in s.settings.guards else None,
    ),
}


def apply_error(ctx: RequestContext, error: GatewayError) -> None:
    """Record on the context what an error decided, for the row, the audit and the headers."""
    ctx.status_code = error.status
    ctx.decision = error.decision
    ctx.error_type = error.code or error.type


class Pipeline:
    def __init__(self, auth: AuthGuard, guards: Sequence[Guard]) -> None:
        self.auth = auth
        self.guards = tuple(guards)

    @classmethod
    def build(cls, names: Sequence[str], services: Services) -> Pipeline:
        unknown = [name for name in names if name not in GUARDS]
        if unknown:
            raise ConfigError(
                f"unknown guard(s) {unknown} in settings.guards; known: {sorted(GUARDS)}"
            )
        if len(set(names)) != len(names):
            raise ConfigError(f"settings.guards names a guard twice: {list(names)}")
        auth = AuthGuard(services.keys, services.key_usage)
        return cls(auth, [GUARDS[name](services) for name in names])

    async def authenticate(self, ctx: RequestContext) -> None:
        await self.auth.on_request(ctx)

    async def on_request(self, ctx: RequestContext) -> None:
        for guard in self.guards:
            try:
                await guard.on_request(ctx)
            except GatewayError:
                raise
            except Exception as exc:  # a broken guard refuses the call: fail closed
                raise _guard_failed(guard, ctx, "request") from exc

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        chunks = [chunk]
        for guard in self.guards:
            chunks = [out for c in chunks for out in guard.on_stream_chunk(ctx, c)]
        return chunks

    def on_stream_end(self, ctx: RequestContext) -> list[dict[str, Any]]:
        chunks: list[dict[str, Any]] = []
        for guard in self.guards:
            chunks = [out for c in chunks for out in guard.on_stream_chunk(ctx, c)]
            end = getattr(guard, "on_stream_end", None)
            if end is not None:
                chunks += end(ctx)
        return chunks

    async def on_response(self, ctx: RequestContext) -> None:
        failure: GatewayError | None = None
        for guard in self.guards:
            try:
                await guard.on_response(ctx)
            except GatewayError as error:
                apply_error(ctx, error)
                failure = failure or error
            except Exception as exc:
                error = _guard_failed(guard, ctx, "response")
                error.__cause__ = exc
                apply_error(ctx, error)
                failure = failure or error
        if failure is not None:
            raise failure


def _guard_failed(guard: Guard, ctx: RequestContext, stage: str) -> GatewayError:
    log.exception("guard %r failed on the %s (trace %s)", guard.name, stage, ctx.trace_id)
    return GatewayError(f"Guard {guard.name!r} failed; trace id {ctx.trace_id}.")

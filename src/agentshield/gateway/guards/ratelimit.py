"""Requests and tokens per minute, per API key, per user and per tenant.

Limits come from `settings.rate_limits`, laid under the tenant's settings `rate_limits`
(`engines.ratelimit.merge`); where none is set at any level the guard touches no counter
and never refuses. A call is charged to all its limits or to none (`store.counters`).

Tokens are reserved before the call: the prompt counted with `engines.tokens`, plus
`max_completion_tokens` (or `max_tokens`) * `n` when given. After the answer the tokens
counters are corrected to what was used: the upstream's `usage`, else a count of the text,
or nothing when the upstream did no work (a later guard blocked, the upstream failed).

A user throttled by a spend anomaly (the `anomaly` guard's THROTTLE) has their key and
user limits halved for the rest of that hour: `SpendWatch.rate_factor`, which reads the
open anomalies from the database at most every 30 s per user, so every replica applies it
whether the counters are in process or in Redis. The tenant's limit, shared with others,
is left whole.

Refusals are 429 in OpenAI's shape naming the level, the metric and the limit, with
`Retry-After` (whole seconds until the call would pass) and OpenAI's `x-ratelimit-*`
headers, which allowed calls carry too. An unreachable Redis refuses with 503, or lets
calls through when `rate_limit_fail_open` is set.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from agentshield.engines.identity import Caller
from agentshield.engines.ratelimit import (
    LEVELS,
    METRICS,
    Decision,
    Limit,
    Status,
    duration,
    merge,
    scaled,
    tightest,
)
from agentshield.gateway.charge import measure_usage, prompt_tokens
from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import Blocked, RateLimited
from agentshield.settings import RateLimitSettings
from agentshield.store.counters import Counters, CountersUnavailable
from agentshield.store.spend_watch import SpendWatch
from agentshield.store.tenant_config import TenantConfig

log = logging.getLogger("agentshield.gateway")

LEVEL_NAMES = {"key": "API key", "user": "user", "tenant": "organization"}
METRIC_NAMES = {"requests": "requests per min (RPM)", "tokens": "tokens per min (TPM)"}
THROTTLED_LEVELS = ("key", "user")


@dataclass(slots=True)
class _Reservation:
    token_limits: list[Limit]
    prompt: int
    reserved: int


class RateLimitGuard:
    name = "ratelimit"

    def __init__(
        self,
        counters: Counters,
        config: TenantConfig,
        defaults: RateLimitSettings,
        fail_open: bool,
        throttles: SpendWatch | None = None,
    ) -> None:
        self._counters = counters
        self._config = config
        self._defaults = defaults.model_dump()
        self._fail_open = fail_open
        self._throttles = throttles  # None when the anomaly guard is off

    async def on_request(self, ctx: RequestContext) -> None:
        caller = ctx.caller
        if caller is None:
            return
        settings = await self._config.settings(caller.tenant_id)
        table = merge(self._defaults, settings.get("rate_limits"))
        subjects = {"key": caller.key_id, "user": caller.user_id, "tenant": caller.tenant_id}
        limits: list[Limit] = []
        prompt = reserved = 0
        factor = await self._factor(caller, table)
        for level in LEVELS:
            for metric, field in METRICS.items():
                value = table[level].get(field)
                if value is None:
                    continue
                if factor != 1.0 and level in THROTTLED_LEVELS:
                    value = scaled(value, factor)
                if metric == "tokens" and not reserved:
                    prompt, reserved = _reservation(ctx)
                cost = 1 if metric == "requests" else reserved
                # The tenant's hash tag keeps a call's counters in one Redis Cluster slot.
                key = f"{{{caller.tenant_id}}}:{level}:{subjects[level]}:{metric}"
                limits.append(Limit(key, level, metric, value, cost))
        if not limits:
            return
        try:
            decision = await self._counters.acquire(limits)
        except CountersUnavailable as exc:
            if self._fail_open:
                log.warning("rate limits not enforced (trace %s): %s", ctx.trace_id, exc)
                return
            raise Blocked(
                503,
                "server_error",
                "rate_limiter_unavailable",
                "Rate limits cannot be checked right now; please retry shortly.",
                headers={"retry-after": "1"},
            ) from exc
        if not decision.allowed:
            raise _refusal(decision)
        ctx.response_headers.update(_headers(decision.statuses))
        token_limits = [limit for limit in limits if limit.metric == "tokens"]
        if token_limits:
            ctx.scratch[self.name] = _Reservation(token_limits, prompt, reserved)

    async def _factor(self, caller: Caller, table: dict[str, dict[str, int | None]]) -> float:
        """1.0, or 0.5 for a throttled user; asks only when a key or user limit is set."""
        if self._throttles is None or caller.user_id is None:
            return 1.0
        if all(table[level].get(f) is None for level in THROTTLED_LEVELS for f in METRICS.values()):
            return 1.0
        return await self._throttles.rate_factor(caller.tenant_id, caller.user_id)

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        return [chunk]

    async def on_response(self, ctx: RequestContext) -> None:
        reservation: _Reservation | None = ctx.scratch.get(self.name)
        if reservation is None:
            return
        delta = _used(ctx) - reservation.reserved
        if not delta:
            return
        try:
            await self._counters.adjust(
                [dataclasses.replace(limit, cost=delta) for limit in reservation.token_limits]
            )
        except CountersUnavailable as exc:  # the answer is made; only the count is off
            log.warning("tokens counters not corrected (trace %s): %s", ctx.trace_id, exc)


def _reservation(ctx: RequestContext) -> tuple[int, int]:
    """(prompt tokens, tokens to reserve) for the call."""
    prompt = prompt_tokens(ctx)
    if ctx.endpoint == "embeddings":
        return prompt, prompt
    body = ctx.body
    most = _count(body.get("max_completion_tokens")) or _count(body.get("max_tokens"))
    return prompt, prompt + most * (_count(body.get("n")) or 1)


def _count(value: Any) -> int:
    return value if type(value) is int and value > 0 else 0


def _used(ctx: RequestContext) -> int:
    usage = measure_usage(ctx)
    return usage.prompt_tokens + usage.completion_tokens


def _refusal(decision: Decision) -> RateLimited:
    limit = decision.refused_by
    assert limit is not None
    status = next(s for s in decision.statuses if s.limit is limit)
    subject = f"this {LEVEL_NAMES[limit.level]} on {METRIC_NAMES[limit.metric]}"
    if limit.cost > limit.limit:
        message = (
            f"Request too large for {subject}: Limit {limit.limit}, Requested {limit.cost}. "
            "Reduce the prompt or max_tokens."
        )
    else:
        message = (
            f"Rate limit reached for {subject}: Limit {limit.limit}, "
            f"Used {limit.limit - status.remaining}, Requested {limit.cost}. "
            f"Please try again in {duration(decision.retry_after_ms)}."
        )
    error = RateLimited(message, decision.retry_after_ms / 1000)
    error.headers.update(_headers(decision.statuses))
    return error


def _headers(statuses: tuple[Status, ...]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for metric in METRICS:
        status = tightest(statuses, metric)
        if status is not None:
            headers[f"x-ratelimit-limit-{metric}"] = str(status.limit.limit)
            headers[f"x-ratelimit-remaining-{metric}"] = str(status.remaining)
            headers[f"x-ratelimit-reset-{metric}"] = duration(status.reset_ms)
    return headers

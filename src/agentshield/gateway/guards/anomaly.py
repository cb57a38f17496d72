"""Spend anomalies: each call is scored before it goes out, on the user's current hour with
the call in it, against the user's own past hours (`engines.anomaly`, `store.spend_watch`).

- a user with an unacknowledged BLOCK anomaly is in restricted mode: refused with 403
  `spend_anomaly_restricted`, naming the anomaly, until an admin acknowledges it
  (`POST /v1/budget/anomalies/{id}/acknowledge`); the call that reaches BLOCK is the first;
- an hour that reaches a new severity (ALERT, THROTTLE, BLOCK) writes a `spend_anomalies`
  row and a `spend.anomaly` outbox event, once per user, hour and severity;
- THROTTLE halves the user's rate limits for the rest of the hour (the ratelimit guard
  asks `SpendWatch.rate_factor`).

The call counts with the least it will cost: its prompt tokens, priced
(`engines.budget.max_cost` with no output). Its reply is unknown yet, and assuming the most
it may write (as a reservation must) would make every call look many times dearer than
usual; the actual cost replaces the estimate once the call is measured (`gateway.charge`).
An image generation counts with its prompt too; its images are counted once measured.
Calls without a user (project keys) are not scored: profiles are per user.
"""

from __future__ import annotations

from typing import Any

from agentshield.engines.anomaly import HourTally, Severity, SpendRecord
from agentshield.engines.budget import max_cost
from agentshield.gateway.charge import measure, prompt_tokens
from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import Blocked
from agentshield.gateway.prices import PriceBook
from agentshield.store.spend_hours import REFUSED
from agentshield.store.spend_watch import SpendWatch

ANOMALY_HEADER = "x-agentshield-anomaly-id"


class AnomalyGuard:
    name = "anomaly"

    def __init__(self, watch: SpendWatch, prices: PriceBook) -> None:
        self._watch = watch
        self._prices = prices

    async def on_request(self, ctx: RequestContext) -> None:
        caller = ctx.caller
        if caller is None or caller.user_id is None or ctx.model is None:
            return
        entry = await self._watch.watched(caller.tenant_id, caller.user_id)
        if entry.actions.restricted_by is not None:
            raise _restricted(str(entry.actions.restricted_by))
        estimate = max_cost(self._prices.price(ctx.model), prompt_tokens(ctx), 0)
        pending = SpendRecord(str(caller.user_id), self._watch.clock(), ctx.model, estimate)
        assessment = entry.assess(pending)
        if entry.is_new(assessment.severity):
            row = await self._watch.raise_anomaly(
                caller.tenant_id, caller.user_id, entry, assessment
            )
            ctx.response_headers[ANOMALY_HEADER] = str(row.id)
            if assessment.severity is Severity.BLOCK:
                raise _restricted(str(row.id))
        entry.tally.add(pending)
        ctx.scratch[self.name] = (entry.tally, pending)

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        return [chunk]

    async def on_response(self, ctx: RequestContext) -> None:
        counted: tuple[HourTally, SpendRecord] | None = ctx.scratch.pop(self.name, None)
        if counted is None:
            return
        tally, pending = counted
        if ctx.decision in REFUSED:  # a later guard refused it: it spent nothing
            tally.add(pending, count=-1)
            return
        measure(ctx, self._prices)
        tally.spend_nanos += ctx.cost_nanos - pending.cost_nanos


def _restricted(anomaly_id: str) -> Blocked:
    return Blocked(
        403,
        "permission_error",
        "spend_anomaly_restricted",
        f"Spending is restricted for this user after spend anomaly {anomaly_id}; "
        "an admin must acknowledge it (POST /v1/budget/anomalies/"
        f"{anomaly_id}/acknowledge) before calls are accepted again.",
        headers={ANOMALY_HEADER: anomaly_id},
    )

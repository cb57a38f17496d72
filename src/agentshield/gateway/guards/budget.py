"""Quotas and wallets: reserve a call's maximum cost before it goes out, settle after.

Before the upstream call the guard reserves, in one transaction, the most the call can
cost (`engines.budget.estimate`) and its tokens against every quota of the key, user,
department and tenant and against the paying wallet (`store.budget`); if any would be
exceeded nothing is held and the call is refused with 429 (quota) or 402 (wallet).

`on_response` runs for every call that got this far: answered, failed upstream, blocked by
a later guard, or cut off by the client. It measures the charge with `gateway.charge`,
the same function (and PriceBook) the cost guard records with, so it needs not run after
it: the reservation is settled to the actual cost, or released when the call used nothing.
A process that dies in between leaves its holds in its lease, which another process returns
once it lapses (`Budgets` sweeps them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from agentshield.engines.budget import Refusal
from agentshield.gateway.charge import maximum, measure
from agentshield.gateway.context import RequestContext
from agentshield.gateway.errors import BudgetExceeded
from agentshield.gateway.images import IMAGES
from agentshield.gateway.prices import PriceBook
from agentshield.store.budget import Budgets, Held


class BudgetGuard:
    name = "budget"

    def __init__(self, budgets: Budgets, prices: PriceBook) -> None:
        self._budgets = budgets
        self._prices = prices

    async def on_request(self, ctx: RequestContext) -> None:
        caller = ctx.caller
        if caller is None or ctx.model is None:
            return
        if ctx.endpoint == IMAGES:  # checks size and quality (422), limits or not
            maximum(ctx, self._prices)
        estimate = partial(maximum, ctx, self._prices)  # counting tokens: only if limited
        outcome = await self._budgets.reserve(caller, estimate, ctx.trace_id)
        if isinstance(outcome, Refusal):
            raise BudgetExceeded(outcome, datetime.now(UTC))
        if outcome.targets is not None:
            ctx.scratch[self.name] = outcome

    def on_stream_chunk(self, ctx: RequestContext, chunk: dict[str, Any]) -> list[dict[str, Any]]:
        return [chunk]

    async def on_response(self, ctx: RequestContext) -> None:
        held: Held | None = ctx.scratch.pop(self.name, None)
        if held is None:
            return
        measure(ctx, self._prices)
        used = ctx.usage.prompt_tokens + ctx.usage.completion_tokens
        if ctx.cost_nanos == 0 and used == 0:
            await self._budgets.release(held)
        else:
            await self._budgets.settle(held, ctx.cost_nanos, used)

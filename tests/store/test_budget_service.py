"""Budgets on the request path: limits' definitions are cached, their amounts never are."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import delete, update

from agentshield.engines.budget import Refusal
from agentshield.store import budget
from agentshield.store.budget import Held
from agentshield.store.budget.holds import Ending
from agentshield.store.budget.step import budget_step
from agentshield.store.db import Database
from agentshield.store.models import Quota
from agentshield.store.sql import in_session
from support.budget import CENT, DOLLAR, fund, limit, new_payer


async def test_a_lowered_limit_counts_at_once_whatever_the_cache_holds(db: Database) -> None:
    payer = await new_payer(db)
    await limit(db, payer, "user", 10 * CENT)
    service = budget.Budgets(db, limits_ttl=60)
    try:
        first = await service.reserve(payer.caller, lambda: (4 * CENT, 0), "a")
        assert isinstance(first, Held) and first.targets is not None
        async with db.transaction() as session:  # another replica lowers it: no forget here
            await session.execute(
                update(Quota)
                .where(Quota.tenant_id == payer.tenant_id)
                .values(limit_amount=5 * CENT)
            )
        refused = await service.reserve(payer.caller, lambda: (2 * CENT, 0), "b")
        assert isinstance(refused, Refusal)
        assert (refused.limit, refused.left) == (5 * CENT, CENT)
    finally:
        await service.close()


async def test_a_quota_removed_behind_the_cache_is_reloaded_not_an_error(db: Database) -> None:
    payer = await new_payer(db)
    await limit(db, payer, "user", 10 * CENT)
    service = budget.Budgets(db, limits_ttl=60)
    try:
        held = await service.reserve(payer.caller, lambda: (CENT, 0), "a")
        assert isinstance(held, Held) and held.targets is not None
        async with db.transaction() as session:
            await session.execute(delete(Quota).where(Quota.tenant_id == payer.tenant_id))
        unlimited = await service.reserve(payer.caller, lambda: (100 * CENT, 0), "b")
        assert isinstance(unlimited, Held) and unlimited.targets is None
        assert await service.settle(held, CENT, 0)  # its window went with the quota
    finally:
        await service.close()


async def test_a_caller_without_limits_is_never_estimated(db: Database) -> None:
    payer = await new_payer(db)
    service = budget.Budgets(db)

    def estimate() -> tuple[int, int]:
        raise AssertionError("estimated for a caller without limits")

    try:
        held = await service.reserve(payer.caller, estimate, "a")
        assert isinstance(held, Held) and held.targets is None
    finally:
        await service.close()


async def test_a_batch_ends_each_call_once(db: Database) -> None:
    """600 calls end in one batch, and ten of them are also released in it, after their
    settle: the settle counts, the release does nothing."""
    payer = await new_payer(db)
    wallet_id = await fund(db, payer, 10 * DOLLAR)
    await limit(db, payer, "user", 10 * DOLLAR)
    service = budget.Budgets(db)
    try:
        held = await asyncio.gather(
            *(service.reserve(payer.caller, lambda: (CENT, 10), str(n)) for n in range(600))
        )
        calls = [h for h in held if isinstance(h, Held) and h.targets is not None]
        assert len(calls) == 600
        # One step over all 610 endings, as the queue hands the step a batch.
        leases, now = service.leases, datetime.now(UTC)
        endings = [Ending(leases, h, now, True, CENT // 2, 5) for h in calls]
        endings += [Ending(leases, h, now, charge=False) for h in calls[:10]]
        async with db.transaction() as session:
            ended = await in_session(session, budget_step, endings)
        assert ended == [True] * 600 + [False] * 10
    finally:
        await service.close()
    async with db.transaction() as session:
        check = await budget.reconcile(session, wallet_id)
    assert check.ok, check
    assert (check.balance_nanos, check.reserved_nanos) == (10 * DOLLAR - 300 * CENT, 0)

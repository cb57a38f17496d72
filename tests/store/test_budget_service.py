"""Budgets on the request path: limits' definitions are cached, their amounts never are."""

from __future__ import annotations

from sqlalchemy import delete, update

from agentshield.engines.budget import Refusal
from agentshield.store import budget
from agentshield.store.budget import Held
from agentshield.store.db import Database
from agentshield.store.models import Quota
from support.budget import CENT, limit, new_payer


async def test_a_lowered_limit_counts_at_once_whatever_the_cache_holds(db: Database) -> None:
    payer = await new_payer(db)
    await limit(db, payer, "user", 10 * CENT)
    service = budget.Budgets(db, limits_ttl=60)
    try:
        first = await service.reserve(payer.caller, lambda: (4 * CENT, 0), "a")
        assert isinstance(first, Held) and first.reservation_id is not None
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
        assert isinstance(held, Held) and held.reservation_id is not None
        async with db.transaction() as session:
            await session.execute(delete(Quota).where(Quota.tenant_id == payer.tenant_id))
        assert await service.reserve(payer.caller, lambda: (100 * CENT, 0), "b") == Held(None)
    finally:
        await service.close()


async def test_a_caller_without_limits_is_never_estimated(db: Database) -> None:
    payer = await new_payer(db)
    service = budget.Budgets(db)

    def estimate() -> tuple[int, int]:
        raise AssertionError("estimated for a caller without limits")

    try:
        assert await service.reserve(payer.caller, estimate, "a") == Held(None)
    finally:
        await service.close()

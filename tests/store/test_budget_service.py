"""Budgets on the request path: limits' definitions are cached, their amounts never are."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import delete, update

from agentshield.engines.budget import Refusal
from agentshield.store import budget
from agentshield.store.budget import Held
from agentshield.store.budget.settle import READ_AT_MOST, Ending, end_many
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


async def test_a_batch_of_endings_ends_each_reservation_once(db: Database) -> None:
    """600 calls end in one batch, more than one read statement holds; ten are also
    released in it, after their settle: the settle counts, the release does nothing."""
    payer = await new_payer(db)
    wallet_id = await fund(db, payer, 10 * DOLLAR)
    await limit(db, payer, "user", 10 * DOLLAR)
    service = budget.Budgets(db)
    try:
        held = await asyncio.gather(
            *(service.reserve(payer.caller, lambda: (CENT, 10), str(n)) for n in range(600))
        )
        ids = [h.reservation_id for h in held if isinstance(h, Held)]
        assert len(ids) == 600 and None not in ids
    finally:
        await service.close()
    # One step over all 610 endings (more than one read statement's READ_AT_MOST ids), as
    # the queue hands end_many a batch: settles first, then releases of the same ten.
    now = datetime.now(UTC)
    endings = [Ending(rid, now, True, CENT // 2, 5) for rid in ids if rid is not None]
    endings += [Ending(rid, now, charge=False) for rid in ids[:10] if rid is not None]
    assert len(endings) > READ_AT_MOST
    async with db.transaction() as session:
        ended = await in_session(session, end_many, endings)
    assert ended == [True] * 600 + [False] * 10
    async with db.transaction() as session:
        check = await budget.reconcile(session, wallet_id)
    assert check.ok
    assert (check.balance_nanos, check.reserved_nanos) == (10 * DOLLAR - 300 * CENT, 0)

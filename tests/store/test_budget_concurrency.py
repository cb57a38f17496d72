"""The issue's proof: 200 calls of $0.01 at once against $1.00, from two engines (as two
processes would be): exactly 100 pass and the wallet ends at exactly zero."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import select

from agentshield.engines.budget import Refusal
from agentshield.store import budget
from agentshield.store.budget.settle import Ending, end_many
from agentshield.store.db import Database
from agentshield.store.models import Quota, QuotaUsage, Wallet
from agentshield.store.sql import in_session
from support.budget import CENT, DOLLAR, NOW, fund, limit, new_payer


async def _spent_to_zero(db: Database, wallet_id: uuid.UUID) -> None:
    """Nothing left and nothing held, and the ledger says the same."""
    async with db.read() as session:
        final = await session.get(Wallet, wallet_id)
        reconciled = await budget.reconcile(session, wallet_id)
    assert final is not None and (final.balance_nanos, final.reserved_nanos) == (0, 0)
    assert reconciled.ok


async def test_200_concurrent_cents_against_a_dollar_pass_exactly_100(db_url: str) -> None:
    engines = [Database(db_url), Database(db_url)]
    try:
        payer = await new_payer(engines[0])
        wallet = await fund(engines[0], payer, DOLLAR)

        async def call(i: int) -> uuid.UUID | None:
            async with engines[i % 2].transaction() as session:
                outcome = await budget.reserve(session, payer.caller, CENT, 0, NOW)
            return None if isinstance(outcome, Refusal) else outcome.reservation_id

        held = [rid for rid in await asyncio.gather(*map(call, range(200))) if rid]
        assert len(held) == 100

        async def settle(i: int, rid: uuid.UUID) -> bool:
            async with engines[i % 2].transaction() as session:
                return await budget.settle(session, rid, CENT, 0, NOW)

        assert all(await asyncio.gather(*(settle(i, rid) for i, rid in enumerate(held))))
        await _spent_to_zero(engines[1], wallet)
    finally:
        for engine in engines:
            await engine.dispose()


async def test_concurrent_calls_never_exceed_a_quota_opened_by_all_of_them(db_url: str) -> None:
    # The window's usage row does not exist yet: the calls race to create it too.
    engines = [Database(db_url), Database(db_url)]
    try:
        payer = await new_payer(engines[0])
        await limit(engines[0], payer, "user", 50 * CENT)
        await limit(engines[0], payer, "key", 1000, metric="tokens")

        async def call(i: int) -> bool:
            async with engines[i % 2].transaction() as session:
                outcome = await budget.reserve(session, payer.caller, CENT, 30, NOW)
            return not isinstance(outcome, Refusal)

        passed = sum(await asyncio.gather(*map(call, range(80))))
        assert passed == 33  # 1000 tokens / 30 per call; the cents would allow 50
    finally:
        for engine in engines:
            await engine.dispose()


async def test_the_request_path_batches_200_cents_against_a_dollar_exactly(db_url: str) -> None:
    # What the gateway runs: Budgets, whose concurrent calls reserve and settle together
    # (group commit), on two engines at once as two processes would.
    engines = [Database(db_url), Database(db_url)]
    services = [budget.Budgets(engine) for engine in engines]
    try:
        payer = await new_payer(engines[0])
        wallet = await fund(engines[0], payer, DOLLAR)
        await limit(engines[0], payer, "user", 2 * DOLLAR)

        async def call(i: int) -> bool:
            service = services[i % 2]
            outcome = await service.reserve(payer.caller, lambda: (CENT, 10), f"trace-{i}")
            if isinstance(outcome, Refusal):
                assert outcome.kind == "wallet"
                return False
            assert outcome.reservation_id is not None
            assert await service.settle(outcome, CENT, 10)
            return True

        assert sum(await asyncio.gather(*map(call, range(200)))) == 100
        await _spent_to_zero(engines[1], wallet)
    finally:
        for service in services:
            await service.close()
        for engine in engines:
            await engine.dispose()


async def test_settles_racing_the_expiry_sweep_end_each_reservation_once(db_url: str) -> None:
    """Calls that outlived their reservation settle, in batches of interleaved ids given in
    either order, while two sweeps expire the same reservations, from two engines: nothing
    deadlocks (on PostgreSQL all lock reservations in id order, then quota windows, then
    wallets), each call is charged once, and every hold comes back exactly once."""
    engines = [Database(db_url), Database(db_url)]
    try:
        payer = await new_payer(engines[0])
        wallet = await fund(engines[0], payer, 10 * DOLLAR)
        await limit(engines[0], payer, "user", 10 * DOLLAR)
        held = []
        for _ in range(60):
            async with engines[0].transaction() as session:
                outcome = await budget.reserve(session, payer.caller, CENT, 10, NOW)
            assert not isinstance(outcome, Refusal) and outcome.reservation_id is not None
            held.append(outcome.reservation_id)
        late = NOW + timedelta(minutes=16)  # past the reservations' 15-minute TTL

        async def settle(i: int) -> list[bool | Exception]:
            ids = held[i::6] if i % 2 else held[i::6][::-1]
            endings = [Ending(rid, late, True, CENT // 2, 5) for rid in ids]
            async with engines[i % 2].transaction() as session:
                return await in_session(session, end_many, endings)

        async def sweep(i: int) -> int:
            async with engines[i % 2].transaction() as session:
                return await budget.expire_stale(session, late)

        racing = [*map(settle, range(6)), sweep(0), sweep(1)]
        *settled, _, _ = await asyncio.gather(*racing)  # the sweeps take other tests' too
        assert [outcome for batch in settled for outcome in batch] == [True] * 60

        async with engines[1].read() as session:
            final = await session.get(Wallet, wallet)
            reconciled = await budget.reconcile(session, wallet)
            usage = (
                await session.execute(
                    select(QuotaUsage.used, QuotaUsage.reserved)
                    .join(Quota, Quota.id == QuotaUsage.quota_id)
                    .where(Quota.tenant_id == payer.tenant_id)
                )
            ).all()
        assert final is not None and reconciled.ok
        assert (final.balance_nanos, final.reserved_nanos) == (10 * DOLLAR - 30 * CENT, 0)
        assert [tuple(row) for row in usage] == [(30 * CENT, 0)]
    finally:
        for engine in engines:
            await engine.dispose()

"""The issue's proof: 200 calls of $0.01 at once against $1.00, from two processes' worth of
`Budgets` on two engines: exactly 100 pass and the wallet ends at exactly zero; and calls
of a stalled process settling while others sweep its lapsed lease are charged once and
returned once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import select

from agentshield.engines.budget import Refusal
from agentshield.store import budget
from agentshield.store.db import Database
from agentshield.store.models import Quota, QuotaUsage, Wallet
from support.budget import CENT, DOLLAR, NOW, fund, limit, new_payer
from support.clock import Clock


async def _spent_to_zero(db: Database, wallet_id: uuid.UUID) -> None:
    """Nothing left and nothing held, and the ledger and the leases say the same."""
    async with db.read() as session:
        final = await session.get(Wallet, wallet_id)
        reconciled = await budget.reconcile(session, wallet_id)
    assert final is not None and (final.balance_nanos, final.reserved_nanos) == (0, 0)
    assert reconciled.ok


async def test_200_concurrent_cents_against_a_dollar_pass_exactly_100(db_url: str) -> None:
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
            assert outcome.targets is not None
            assert await service.settle(outcome, CENT, 10)
            return True

        assert sum(await asyncio.gather(*map(call, range(200)))) == 100
        await _spent_to_zero(engines[1], wallet)
    finally:
        for service in services:
            await service.close()
        for engine in engines:
            await engine.dispose()


async def test_concurrent_calls_never_exceed_a_quota_opened_by_all_of_them(db_url: str) -> None:
    # The window's usage row does not exist yet: the calls race to create it too.
    engines = [Database(db_url), Database(db_url)]
    services = [budget.Budgets(engine, clock=Clock(NOW)) for engine in engines]
    try:
        payer = await new_payer(engines[0])
        await limit(engines[0], payer, "user", 50 * CENT)
        await limit(engines[0], payer, "key", 1000, metric="tokens")

        async def call(i: int) -> bool:
            outcome = await services[i % 2].reserve(payer.caller, lambda: (CENT, 30), str(i))
            return not isinstance(outcome, Refusal)

        passed = sum(await asyncio.gather(*map(call, range(80))))
        assert passed == 33  # 1000 tokens / 30 per call; the cents would allow 50
    finally:
        for service in services:
            await service.close()
        for engine in engines:
            await engine.dispose()


async def test_a_stalled_process_settling_while_others_sweep_its_lease_is_charged_once(
    db_url: str,
) -> None:
    """60 calls of a process whose lease lapsed settle in six concurrent groups while two
    other processes sweep lapsed leases: nothing deadlocks (on PostgreSQL every transaction
    locks leases, then quota windows, then wallets), each call is charged once, and every
    hold comes back once, whichever got there first."""
    engines = [Database(db_url) for _ in range(3)]
    clock = Clock(NOW)
    stalled = budget.Budgets(engines[0], lease_ttl=timedelta(seconds=1), clock=clock)
    late = Clock(NOW + timedelta(minutes=10))
    sweepers = [budget.Budgets(engine, clock=late) for engine in engines[1:]]
    try:
        payer = await new_payer(engines[0])
        wallet = await fund(engines[0], payer, 10 * DOLLAR)
        await limit(engines[0], payer, "user", 10 * DOLLAR)
        held = []
        for i in range(60):
            outcome = await stalled.reserve(payer.caller, lambda: (CENT, 10), str(i))
            assert isinstance(outcome, budget.Held) and outcome.targets is not None
            held.append(outcome)
        clock.now = late.now  # the process wakes up past its lease's TTL

        async def settle(group: int) -> list[bool]:
            calls = held[group::6] if group % 2 else held[group::6][::-1]
            return list(await asyncio.gather(*(stalled.settle(h, CENT // 2, 5) for h in calls)))

        racing = [*map(settle, range(6)), *(s.sweep_lapsed() for s in sweepers)]
        *settled, _, _ = await asyncio.gather(*racing)  # the sweeps take other tests' too
        assert [outcome for group in settled for outcome in group] == [True] * 60

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
        assert final is not None and reconciled.ok, reconciled
        assert (final.balance_nanos, final.reserved_nanos) == (10 * DOLLAR - 30 * CENT, 0)
        assert [tuple(row) for row in usage] == [(30 * CENT, 0)]
    finally:
        for service in (stalled, *sweepers):
            await service.close()
        for engine in engines:
            await engine.dispose()

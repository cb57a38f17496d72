"""Reserve and settle against quotas and wallets through `Budgets`, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from agentshield.engines.budget import Refusal
from agentshield.store import budget
from agentshield.store.budget.quotas import quota_views
from agentshield.store.db import Database
from agentshield.store.models import BudgetLease, LeaseHold, LedgerEntry, Tenant, Wallet
from support.budget import CENT, DOLLAR, NOW, Payer, fund, limit, new_payer
from support.clock import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def service(db: Database, clock: Clock) -> AsyncIterator[budget.Budgets]:
    budgets = budget.Budgets(db, limits_ttl=0, clock=clock)  # limits change within tests
    yield budgets
    await budgets.close()


async def _reserve(
    service: budget.Budgets, payer: Payer, nanos: int, tokens: int = 0, trace: str = "call"
) -> budget.Held | Refusal:
    outcome = await service.reserve(payer.caller, lambda: (nanos, tokens), trace)
    assert isinstance(outcome, Refusal) or outcome.targets is not None
    return outcome


async def _held(
    service: budget.Budgets, payer: Payer, nanos: int, tokens: int = 0, trace: str = "call"
) -> budget.Held:
    outcome = await _reserve(service, payer, nanos, tokens, trace)
    assert isinstance(outcome, budget.Held), outcome
    return outcome


async def _wallet(db: Database, wallet_id: uuid.UUID) -> tuple[int, int]:
    async with db.read() as session:
        wallet = await session.get(Wallet, wallet_id, populate_existing=True)
        assert wallet is not None
        return wallet.balance_nanos, wallet.reserved_nanos


async def _reconciled(db: Database, wallet_id: uuid.UUID) -> budget.Reconciliation:
    async with db.read() as session:
        return await budget.reconcile(session, wallet_id)


async def _daily_usd(db: Database, payer: Payer, now: datetime = NOW) -> tuple[int, int]:
    async with db.read() as session:
        views = await quota_views(session, payer.tenant_id, "user", payer.caller.user_id, now)
    (daily,) = [v for v in views if (v.period, v.metric) == ("daily", "usd")]
    return daily.used, daily.reserved


async def test_no_limits_never_refuse_and_hold_nothing(
    db: Database, service: budget.Budgets
) -> None:
    payer = await new_payer(db)
    held = await service.reserve(payer.caller, lambda: (10**15, 10**9), "free")
    assert isinstance(held, budget.Held) and held.targets is None
    with pytest.raises(ValueError, match="nothing was held"):
        await service.settle(held, CENT, 0)


async def test_settle_below_and_above_the_hold_charges_the_actual(
    db: Database, service: budget.Budgets
) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    below = await _held(service, payer, 30 * CENT)
    above = await _held(service, payer, 10 * CENT)
    assert await _wallet(db, wallet) == (DOLLAR, 40 * CENT)
    assert await service.settle(below, 12 * CENT + 1, 0)
    assert await service.settle(above, 25 * CENT, 0)
    assert await _wallet(db, wallet) == (DOLLAR - 37 * CENT - 1, 0)
    assert (await _reconciled(db, wallet)).ok


async def test_settling_twice_or_after_release_moves_nothing(
    db: Database, service: budget.Budgets
) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    settled = await _held(service, payer, 10 * CENT)
    released = await _held(service, payer, 10 * CENT)
    assert await service.settle(settled, 7 * CENT, 0)
    assert not await service.settle(settled, 7 * CENT, 0)
    assert await service.release(released)
    assert not await service.release(released)
    assert not await service.release(settled)
    assert not await service.settle(released, 5 * CENT, 0)
    assert await _wallet(db, wallet) == (DOLLAR - 7 * CENT, 0)
    assert (await _reconciled(db, wallet)).ok


async def test_a_negative_amount_is_refused_alone(db: Database, service: budget.Budgets) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    with pytest.raises(ValueError, match="negative"):
        await _reserve(service, payer, -1)
    held = await _held(service, payer, CENT)
    with pytest.raises(ValueError, match="negative"):
        await service.settle(held, -1, 0)
    assert await service.settle(held, CENT, 0)
    assert await _wallet(db, wallet) == (DOLLAR - CENT, 0)


async def test_a_call_held_past_its_ttl_is_returned_by_its_process_and_still_charged(
    db: Database, clock: Clock
) -> None:
    service = budget.Budgets(db, ttl=timedelta(0), limits_ttl=0, clock=clock)
    try:
        payer = await new_payer(db)
        wallet = await fund(db, payer, DOLLAR)
        await limit(db, payer, "user", 50 * CENT)
        stuck = await _held(service, payer, 50 * CENT)
        late = await _reserve(service, payer, 1)
        assert isinstance(late, Refusal) and late.left == 0  # the quota is all held
        assert await service.expire_overdue() == 1
        assert await service.expire_overdue() == 0  # once only
        assert await _wallet(db, wallet) == (DOLLAR, 0)
        assert await _daily_usd(db, payer) == (0, 0)
        again = await _held(service, payer, 50 * CENT)
        # The stuck call answered after all: it is charged, without returning its hold twice.
        assert await service.settle(stuck, 20 * CENT, 0)
        assert not await service.settle(stuck, 20 * CENT, 0)
        assert await _wallet(db, wallet) == (DOLLAR - 20 * CENT, 50 * CENT)
        assert await _daily_usd(db, payer) == (20 * CENT, 50 * CENT)
        assert await service.release(again)
        assert (await _reconciled(db, wallet)).ok
    finally:
        await service.close()


async def test_a_lapsed_lease_is_returned_by_another_process_and_its_calls_charged_once(
    db: Database, clock: Clock
) -> None:
    stalled = budget.Budgets(db, limits_ttl=0, lease_ttl=timedelta(seconds=1), clock=clock)
    sweeper = budget.Budgets(db, clock=Clock(NOW + timedelta(minutes=1)))
    try:
        payer = await new_payer(db)
        wallet = await fund(db, payer, DOLLAR)
        await limit(db, payer, "user", 50 * CENT)
        held = await _held(service=stalled, payer=payer, nanos=30 * CENT)
        first_lease = stalled.leases.current.id
        assert await _wallet(db, wallet) == (DOLLAR, 30 * CENT)
        assert await sweeper.sweep_lapsed() >= 1
        assert await _wallet(db, wallet) == (DOLLAR, 0)
        assert await _daily_usd(db, payer) == (0, 0)
        async with db.read() as session:
            assert await session.get(BudgetLease, first_lease) is None
        # The stalled process answers: charged once; its next hold takes a new lease.
        clock.now = NOW + timedelta(minutes=2)
        assert await stalled.settle(held, 20 * CENT, 0)
        assert await _wallet(db, wallet) == (DOLLAR - 20 * CENT, 0)
        again = await _held(stalled, payer, 10 * CENT)
        assert stalled.leases.current.id != first_lease
        assert await _wallet(db, wallet) == (DOLLAR - 20 * CENT, 10 * CENT)
        assert (await _reconciled(db, wallet)).ok
        assert await stalled.settle(again, 10 * CENT, 0)
        assert await _daily_usd(db, payer, clock.now) == (30 * CENT, 0)
        assert (await _reconciled(db, wallet)).ok
    finally:
        await stalled.close()
        await sweeper.close()


async def test_a_lease_sums_its_calls_and_goes_when_its_process_stops_idle(
    db: Database, service: budget.Budgets
) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    await limit(db, payer, "user", DOLLAR)
    calls = [await _held(service, payer, n * CENT, trace=f"c{n}") for n in (1, 2, 3)]

    async def lease_holds() -> dict[str, int]:
        async with db.read() as session:
            rows = await session.execute(
                select(LeaseHold.kind, func.sum(LeaseHold.amount))
                .where(LeaseHold.lease_id == service.leases.current.id)
                .group_by(LeaseHold.kind)
            )
            return {kind: int(amount) for kind, amount in rows}

    assert await lease_holds() == {"quota": 6 * CENT, "wallet": 6 * CENT}
    assert (await _reconciled(db, wallet)).leases_reserved_nanos == 6 * CENT
    for call in calls:
        assert await service.settle(call, CENT, 0)
    assert await lease_holds() == {"quota": 0, "wallet": 0}
    lease = service.leases.current.id
    await service.close()
    async with db.read() as session:
        assert await session.get(BudgetLease, lease) is None


@pytest.mark.parametrize("scope", ["user", "department", "tenant", "key"])
async def test_each_quota_level_refuses_past_its_limit_until_the_window_resets(
    db: Database, service: budget.Budgets, clock: Clock, scope: str
) -> None:
    payer = await new_payer(db)
    await limit(db, payer, scope, 25 * CENT)
    first = await _held(service, payer, 20 * CENT)
    assert await service.settle(first, 15 * CENT, 0)
    refused = await _reserve(service, payer, 11 * CENT)
    assert refused == Refusal(
        kind="quota",
        scope=scope,
        scope_id=refused.scope_id if isinstance(refused, Refusal) else uuid.uuid4(),
        metric="usd",
        limit=25 * CENT,
        left=10 * CENT,
        asked=11 * CENT,
        period="daily",
        resets_at=datetime(2026, 3, 16, tzinfo=UTC),
    )
    await _held(service, payer, 10 * CENT)  # exactly what is left
    clock.now = datetime(2026, 3, 16, 0, 0, 1, tzinfo=UTC)
    await _held(service, payer, 25 * CENT)


async def test_a_refusal_holds_nothing_at_any_other_limit(
    db: Database, service: budget.Budgets
) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    await limit(db, payer, "user", DOLLAR)
    await limit(db, payer, "tenant", 10 * CENT, period="monthly")
    refused = await _reserve(service, payer, 20 * CENT)
    assert isinstance(refused, Refusal) and refused.name == "tenant monthly usd quota"
    assert refused.resets_at == datetime(2026, 4, 1, tzinfo=UTC)
    assert await _wallet(db, wallet) == (DOLLAR, 0)
    # the user's quota was not held either: all of it is still there
    await limit(db, payer, "tenant", 10 * DOLLAR, period="monthly")
    await _held(service, payer, DOLLAR)


async def test_token_quotas_count_tokens_and_monthly_windows_follow_the_tenant_zone(
    db: Database, service: budget.Budgets, clock: Clock
) -> None:
    payer = await new_payer(db)
    async with db.transaction() as session:
        await session.execute(
            update(Tenant).where(Tenant.id == payer.tenant_id).values(time_zone="Asia/Tokyo")
        )
    await limit(db, payer, "user", 1000, period="monthly", metric="tokens")
    # 2026-03-31 15:00 UTC is already April 1st in Tokyo: a new window.
    clock.now = datetime(2026, 3, 31, 14, 0, tzinfo=UTC)
    held = await _held(service, payer, DOLLAR, tokens=900)
    assert await service.settle(held, DOLLAR, 1000)
    refused = await _reserve(service, payer, 0, tokens=1)
    assert isinstance(refused, Refusal) and refused.left == 0 and refused.left_text() == "0"
    assert refused.resets_at == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    clock.now = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    await _held(service, payer, 0, tokens=1000)


async def test_a_call_settling_after_midnight_counts_in_the_window_it_held(
    db: Database, service: budget.Budgets, clock: Clock
) -> None:
    payer = await new_payer(db)
    await limit(db, payer, "user", DOLLAR)
    clock.now = datetime(2026, 3, 15, 23, 59, tzinfo=UTC)
    held = await _held(service, payer, 30 * CENT)
    clock.now = datetime(2026, 3, 16, 0, 1, tzinfo=UTC)
    assert await service.settle(held, 20 * CENT, 0)
    assert await _daily_usd(db, payer, datetime(2026, 3, 15, 23, 59, tzinfo=UTC)) == (
        20 * CENT,
        0,
    )
    assert await _daily_usd(db, payer, clock.now) == (0, 0)


async def test_the_most_specific_wallet_pays_and_an_empty_one_refuses(
    db: Database, service: budget.Budgets
) -> None:
    payer = await new_payer(db)
    tenant_wallet = await fund(db, payer, DOLLAR)
    user_wallet = await fund(db, payer, 5 * CENT, scope="user")
    refused = await _reserve(service, payer, 6 * CENT)
    assert isinstance(refused, Refusal)
    assert (refused.kind, refused.name, refused.left_text()) == (
        "wallet",
        "user wallet",
        "0.050000000",
    )
    await _held(service, payer, 5 * CENT)
    assert await _wallet(db, user_wallet) == (5 * CENT, 5 * CENT)
    assert await _wallet(db, tenant_wallet) == (DOLLAR, 0)


async def test_overdraft_and_postpaid_let_the_balance_run_below_zero(
    db: Database, service: budget.Budgets
) -> None:
    payer = await new_payer(db)
    overdrawn = await fund(db, payer, CENT, scope="user", overdraft_limit_nanos=2 * CENT)
    await _held(service, payer, 3 * CENT)
    assert isinstance(await _reserve(service, payer, 1), Refusal)
    assert await _wallet(db, overdrawn) == (CENT, 3 * CENT)

    other = await new_payer(db)
    postpaid = await fund(db, other, 0, kind="postpaid")
    held = await _held(service, other, 50 * DOLLAR)
    assert await service.settle(held, 40 * DOLLAR, 0)
    assert await _wallet(db, postpaid) == (-40 * DOLLAR, 0)
    assert (await _reconciled(db, postpaid)).ok


async def test_the_ledger_refuses_update_and_delete(db: Database) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    for statement in (
        update(LedgerEntry).where(LedgerEntry.wallet_id == wallet).values(amount_nanos=1),
        delete(LedgerEntry).where(LedgerEntry.wallet_id == wallet),
    ):
        with pytest.raises((DBAPIError, IntegrityError), match="append-only"):
            async with db.transaction() as session:
                await session.execute(statement)
    assert (await _reconciled(db, wallet)).ok


async def test_reconciliation_finds_a_balance_or_hold_changed_outside_the_ledger(
    db: Database,
) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    async with db.transaction() as session:
        await session.execute(
            update(Wallet).where(Wallet.id == wallet).values(balance_nanos=2 * DOLLAR)
        )
    found = await _reconciled(db, wallet)
    assert not found.ok
    assert (found.balance_nanos, found.ledger_balance_nanos) == (2 * DOLLAR, DOLLAR)
    async with db.transaction() as session:
        await session.execute(
            update(Wallet)
            .where(Wallet.id == wallet)
            .values(balance_nanos=DOLLAR, reserved_nanos=CENT)
        )
    found = await _reconciled(db, wallet)
    assert not found.ok
    assert (found.reserved_nanos, found.ledger_reserved_nanos, found.leases_reserved_nanos) == (
        CENT,
        0,
        0,
    )


async def test_every_movement_leaves_an_entry_and_a_settle_names_its_call(
    db: Database, service: budget.Budgets
) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    held = await _held(service, payer, 10 * CENT, trace="trace-of-the-call")
    assert await service.settle(held, 4 * CENT, 0)
    async with db.read() as session:
        entries = (
            await session.scalars(select(LedgerEntry).where(LedgerEntry.wallet_id == wallet))
        ).all()
    assert {
        (e.kind, e.amount_nanos, e.hold_nanos, e.balance_after_nanos, e.trace_id, e.note)
        for e in entries
    } == {
        ("top_up", DOLLAR, 0, DOLLAR, None, None),
        ("reserve", 0, 10 * CENT, DOLLAR, None, "1 call(s)"),
        ("settle", -4 * CENT, -10 * CENT, DOLLAR - 4 * CENT, "trace-of-the-call", None),
    }

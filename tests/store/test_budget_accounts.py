"""Managing quotas and wallets: views with use, removal, the daily reset, wallet changes,
conversion, the ledger's pages and monthly statements, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from agentshield.engines.budget import Refusal
from agentshield.store import budget
from agentshield.store.budget import quotas, statements, wallets
from agentshield.store.db import Database
from agentshield.store.errors import Conflict, NotFound
from agentshield.store.models import Tenant, Wallet
from agentshield.store.outbox import list_events
from support.budget import CENT, DOLLAR, NOW, Payer, budgets_at, fund, new_payer

KB = 1000


async def _views(db: Database, payer: Payer, now: datetime = NOW) -> dict[str, quotas.QuotaView]:
    async with db.read() as session:
        views = await quotas.quota_views(
            session, payer.tenant_id, "user", payer.caller.user_id, now
        )
    return {f"{v.period}_{v.metric}": v for v in views}


async def _set(db: Database, payer: Payer, **limits: int | None) -> None:
    """`daily_usd=...` sets the ("daily", "usd") quota; None removes it."""
    kinds: dict[tuple[str, str], int | None] = {}
    for name, value in limits.items():
        period, metric = name.split("_")
        kinds[(period, metric)] = value
    async with db.transaction() as session:
        await quotas.set_quotas(session, payer.tenant_id, "user", payer.caller.user_id, kinds)


async def _call(db: Database, payer: Payer, hold: int, cost: int, tokens: int = 0) -> None:
    """Reserve `hold`, then settle to `cost`."""
    async with budgets_at(db) as service:
        held = await service.reserve(payer.caller, lambda: (hold, tokens), "call")
        assert isinstance(held, budget.Held) and held.targets is not None
        assert await service.settle(held, cost, tokens)


async def test_views_show_use_reserved_and_the_window_in_the_tenant_zone(db: Database) -> None:
    payer = await new_payer(db)
    async with db.transaction() as session:
        await session.execute(
            update(Tenant).where(Tenant.id == payer.tenant_id).values(time_zone="Europe/Berlin")
        )
    await _set(db, payer, daily_usd=DOLLAR, monthly_tokens=100 * KB)
    assert (await _views(db, payer))["daily_usd"].used == 0  # no window row yet

    await _call(db, payer, 30 * CENT, 20 * CENT, tokens=5 * KB)
    async with budgets_at(db) as service:
        held = await service.reserve(payer.caller, lambda: (10 * CENT, KB), "in flight")
    assert isinstance(held, budget.Held) and held.targets is not None

    views = await _views(db, payer)
    assert sorted(views) == ["daily_usd", "monthly_tokens"]
    daily = views["daily_usd"]
    assert (daily.limit, daily.used, daily.reserved, daily.remaining) == (
        DOLLAR,
        20 * CENT,
        10 * CENT,
        70 * CENT,
    )
    # 15 March 2026 in Berlin (UTC+1) runs from 14 March 23:00 UTC to 15 March 23:00 UTC.
    assert daily.window_start == datetime(2026, 3, 14, 23, tzinfo=UTC)
    assert daily.resets_at == datetime(2026, 3, 15, 23, tzinfo=UTC)
    monthly = views["monthly_tokens"]
    assert (monthly.used, monthly.reserved, monthly.remaining) == (5 * KB, KB, 94 * KB)
    assert monthly.resets_at == datetime(2026, 3, 31, 22, tzinfo=UTC)  # after the DST change
    # The next day is a new window, empty by itself.
    assert (await _views(db, payer, NOW + timedelta(days=1)))["daily_usd"].used == 0


async def test_setting_keeps_use_and_null_removes_only_that_quota(db: Database) -> None:
    payer = await new_payer(db)
    await _set(db, payer, daily_usd=DOLLAR, monthly_usd=10 * DOLLAR)
    await _call(db, payer, 40 * CENT, 40 * CENT)

    await _set(db, payer, daily_usd=50 * CENT, monthly_usd=None)

    views = await _views(db, payer)
    assert sorted(views) == ["daily_usd"]
    assert (views["daily_usd"].limit, views["daily_usd"].used) == (50 * CENT, 40 * CENT)
    await _set(db, payer, monthly_usd=None)  # removing what is not there is a no-op
    assert sorted(await _views(db, payer)) == ["daily_usd"]


async def test_reset_daily_zeroes_used_and_keeps_what_calls_in_flight_hold(db: Database) -> None:
    payer = await new_payer(db)
    await _set(db, payer, daily_usd=DOLLAR, monthly_usd=10 * DOLLAR)
    await _call(db, payer, 90 * CENT, 90 * CENT)
    async with budgets_at(db) as service:
        refused = await service.reserve(payer.caller, lambda: (20 * CENT, 0), "refused")
        in_flight = await service.reserve(payer.caller, lambda: (5 * CENT, 0), "in flight")
        assert isinstance(refused, Refusal)
        assert isinstance(in_flight, budget.Held) and in_flight.targets is not None

        async with db.transaction() as session:
            cleared = await quotas.reset_daily(
                session, payer.tenant_id, "user", payer.caller.user_id, NOW
            )
        assert cleared == {"usd": 90 * CENT}
        views = await _views(db, payer)
        assert (views["daily_usd"].used, views["daily_usd"].reserved) == (0, 5 * CENT)
        assert views["monthly_usd"].used == 90 * CENT  # the month is not reset

        assert await service.settle(in_flight, 4 * CENT, 0)
        again = await service.reserve(payer.caller, lambda: (20 * CENT, 0), "again")
        assert isinstance(again, budget.Held) and again.targets is not None
    assert (await _views(db, payer))["daily_usd"].used == 4 * CENT


async def test_owners_must_be_rows_of_the_tenant(db: Database) -> None:
    payer, other = await new_payer(db), await new_payer(db)
    me = payer.caller
    async with db.read() as session:
        with pytest.raises(NotFound):
            await quotas.quota_views(session, me.tenant_id, "user", other.caller.user_id, NOW)
        with pytest.raises(NotFound):
            await quotas.quota_views(session, me.tenant_id, "tenant", other.tenant_id, NOW)
        with pytest.raises(NotFound):  # the right tenant, the wrong kind of row
            await quotas.quota_views(session, me.tenant_id, "department", me.user_id, NOW)
        with pytest.raises(NotFound):  # an owner without a daily quota
            await quotas.reset_daily(session, me.tenant_id, "key", me.key_id, NOW)
        assert await quotas.quota_views(session, me.tenant_id, "key", me.key_id, NOW) == []
    async with db.transaction() as session:
        with pytest.raises(NotFound):
            await budget.open_wallet(
                session, me.tenant_id, owner_scope="user", owner_id=other.caller.user_id
            )


async def _events(db: Database, payer: Payer) -> int:
    async with db.read() as session:
        return len(await list_events(session, payer.tenant_id, "wallet.low_balance"))


async def test_low_balance_is_raised_once_per_crossing(db: Database) -> None:
    payer = await new_payer(db)
    wallet_id = await fund(db, payer, DOLLAR, low_balance_threshold_nanos=50 * CENT)
    await _call(db, payer, 60 * CENT, 60 * CENT)
    assert await _events(db, payer) == 1
    await _call(db, payer, 10 * CENT, 10 * CENT)  # still below: the same crossing
    assert await _events(db, payer) == 1

    async with db.transaction() as session:
        await budget.top_up(session, payer.tenant_id, wallet_id, DOLLAR, NOW)
    await _call(db, payer, 90 * CENT, 90 * CENT)
    assert await _events(db, payer) == 2


async def test_a_threshold_set_above_the_balance_counts_as_crossed(db: Database) -> None:
    payer = await new_payer(db)
    wallet_id = await fund(db, payer, DOLLAR)

    async def change(**values: int | None) -> Wallet:
        async with db.transaction() as session:
            return await wallets.change_wallet(session, payer.tenant_id, wallet_id, NOW, **values)

    raised = await change(low_balance_threshold_nanos=2 * DOLLAR)
    assert raised.low_balance_alerted
    await _call(db, payer, 10 * CENT, 10 * CENT)  # a fall while below: no event
    assert await _events(db, payer) == 0
    lowered = await change(low_balance_threshold_nanos=50 * CENT, overdraft_limit_nanos=5 * CENT)
    assert not lowered.low_balance_alerted and lowered.overdraft_limit_nanos == 5 * CENT
    await _call(db, payer, 50 * CENT, 50 * CENT)  # 0.90 -> 0.40: crosses 0.50
    assert await _events(db, payer) == 1
    cleared = await change(low_balance_threshold_nanos=None)
    assert not cleared.low_balance_alerted and cleared.low_balance_threshold_nanos is None


async def test_conversion_refuses_a_debt_and_a_prepaid_wallet(db: Database) -> None:
    payer = await new_payer(db)
    wallet_id = await fund(db, payer, 0, kind="postpaid")
    await _call(db, payer, 30 * CENT, 30 * CENT)

    async with db.transaction() as session:
        with pytest.raises(Conflict, match=r"owes 0\.300000000 USD"):
            await wallets.convert_to_prepaid(session, payer.tenant_id, wallet_id, NOW)
        await budget.top_up(session, payer.tenant_id, wallet_id, 30 * CENT, NOW)
        converted = await wallets.convert_to_prepaid(session, payer.tenant_id, wallet_id, NOW)
        assert converted.kind == "prepaid"
        with pytest.raises(Conflict, match="already prepaid"):
            await wallets.convert_to_prepaid(session, payer.tenant_id, wallet_id, NOW)
    async with budgets_at(db) as service:
        refused = await service.reserve(payer.caller, lambda: (CENT, 0), "refused")
    assert isinstance(refused, Refusal)  # prepaid at 0: refused now


async def test_ledger_pages_newest_first(db: Database) -> None:
    payer = await new_payer(db)
    wallet_id = await fund(db, payer, 0)
    async with db.transaction() as session:
        for minute in range(5):
            await budget.top_up(
                session, payer.tenant_id, wallet_id, CENT, NOW + timedelta(minutes=minute)
            )
    seen: list[uuid.UUID] = []
    before = None
    async with db.read() as session:
        while True:
            page = await wallets.ledger_page(
                session, payer.tenant_id, wallet_id, limit=2, before=before
            )
            seen += [entry.id for entry in page]
            if len(page) < 2:
                break
            before = page[-1].id
        everything = await wallets.ledger_page(session, payer.tenant_id, wallet_id)
    assert seen == [entry.id for entry in everything] and len(seen) == 5
    assert [e.created_at for e in everything] == sorted(
        (e.created_at for e in everything), reverse=True
    )


async def test_statement_sums_equal_the_ledger_by_month_in_the_tenant_zone(db: Database) -> None:
    payer = await new_payer(db)
    async with db.transaction() as session:
        await session.execute(
            update(Tenant).where(Tenant.id == payer.tenant_id).values(time_zone="Europe/Berlin")
        )
    wallet_id = await fund(db, payer, 0, kind="postpaid")
    feb = datetime(2026, 2, 10, tzinfo=UTC)
    # 28 February 23:30 UTC is already 1 March in Berlin.
    march_in_berlin = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    async with db.transaction() as session:
        await budget.top_up(session, payer.tenant_id, wallet_id, 2 * DOLLAR, feb)
        await budget.top_up(session, payer.tenant_id, wallet_id, DOLLAR, march_in_berlin)
    for cost in (30 * CENT, 45 * CENT):
        await _call(db, payer, DOLLAR, cost)  # at NOW, 15 March

    async with db.read() as session:
        february = await statements.monthly_statement(
            session, payer.tenant_id, wallet_id, NOW, (2026, 2)
        )
        march = await statements.monthly_statement(session, payer.tenant_id, wallet_id, NOW)
        reconciled = await budget.reconcile(session, wallet_id)
    assert (february.opening_balance, february.top_ups, february.closing_balance) == (
        0,
        2 * DOLLAR,
        2 * DOLLAR,
    )
    assert february.ends_at == datetime(2026, 2, 28, 23, tzinfo=UTC)
    assert march.month == "2026-03" and march.time_zone == "Europe/Berlin"
    assert (march.opening_balance, march.top_ups, march.charges, march.charge_count) == (
        2 * DOLLAR,
        DOLLAR,
        75 * CENT,
        2,
    )
    assert march.other == 0 and march.amount_due == 0
    assert march.closing_balance == reconciled.ledger_balance_nanos == 225 * CENT


async def test_a_postpaid_statement_shows_the_amount_due(db: Database) -> None:
    payer = await new_payer(db)
    wallet_id = await fund(db, payer, 0, kind="postpaid")
    await _call(db, payer, DOLLAR, 130 * CENT)
    async with db.read() as session:
        made = await statements.monthly_statement(session, payer.tenant_id, wallet_id, NOW)
    assert (made.charges, made.closing_balance, made.amount_due) == (
        130 * CENT,
        -130 * CENT,
        130 * CENT,
    )

"""Reserve and settle against quotas and wallets, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from agentshield.engines.budget import Refusal
from agentshield.store import budget
from agentshield.store.db import Database
from agentshield.store.models import LedgerEntry, Reservation, Tenant, Wallet
from support.budget import CENT, DOLLAR, NOW, Payer, fund, limit, new_payer


async def _reserve(
    db: Database, payer: Payer, nanos: int, tokens: int = 0, now: datetime = NOW
) -> uuid.UUID | Refusal:
    async with db.transaction() as session:
        outcome = await budget.reserve(session, payer.caller, nanos, tokens, now)
    if isinstance(outcome, Refusal):
        return outcome
    assert outcome.reservation_id is not None
    return outcome.reservation_id


async def _settle(db: Database, rid: uuid.UUID, nanos: int, tokens: int = 0) -> bool:
    async with db.transaction() as session:
        return await budget.settle(session, rid, nanos, tokens, NOW)


async def _wallet(db: Database, wallet_id: uuid.UUID) -> tuple[int, int]:
    async with db.read() as session:
        wallet = await session.get(Wallet, wallet_id)
        assert wallet is not None
        return wallet.balance_nanos, wallet.reserved_nanos


async def _reconciled(db: Database, wallet_id: uuid.UUID) -> budget.Reconciliation:
    async with db.read() as session:
        return await budget.reconcile(session, wallet_id)


async def test_no_limits_never_refuse_and_hold_nothing(db: Database) -> None:
    payer = await new_payer(db)
    async with db.transaction() as session:
        held = await budget.reserve(session, payer.caller, 10**15, 10**9, NOW)
    assert held == budget.Held(None)


async def test_settle_below_and_above_the_hold_charges_the_actual(db: Database) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    below = await _reserve(db, payer, 30 * CENT)
    above = await _reserve(db, payer, 10 * CENT)
    assert isinstance(below, uuid.UUID) and isinstance(above, uuid.UUID)
    assert await _wallet(db, wallet) == (DOLLAR, 40 * CENT)
    assert await _settle(db, below, 12 * CENT + 1)
    assert await _settle(db, above, 25 * CENT)
    assert await _wallet(db, wallet) == (DOLLAR - 37 * CENT - 1, 0)
    assert (await _reconciled(db, wallet)).ok


async def test_settling_twice_or_after_release_moves_nothing(db: Database) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    settled = await _reserve(db, payer, 10 * CENT)
    released = await _reserve(db, payer, 10 * CENT)
    assert isinstance(settled, uuid.UUID) and isinstance(released, uuid.UUID)
    assert await _settle(db, settled, 7 * CENT)
    assert not await _settle(db, settled, 7 * CENT)
    async with db.transaction() as session:
        assert await budget.release(session, released, NOW)
        assert not await budget.release(session, released, NOW)
        assert not await budget.release(session, settled, NOW)
    assert not await _settle(db, released, 5 * CENT)
    assert await _wallet(db, wallet) == (DOLLAR - 7 * CENT, 0)
    assert (await _reconciled(db, wallet)).ok


async def test_a_dead_processs_reservation_expires_and_a_late_settle_still_charges(
    db: Database,
) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    await limit(db, payer, "user", 50 * CENT)
    dead = await _reserve(db, payer, 50 * CENT)
    late = await _reserve(db, payer, 1, now=NOW + timedelta(seconds=1))
    assert isinstance(dead, uuid.UUID)
    assert isinstance(late, Refusal) and late.left == 0  # the quota is all held
    async with db.transaction() as session:
        assert await budget.expire_stale(session, NOW + timedelta(minutes=14)) == 0
        assert await budget.expire_stale(session, NOW + timedelta(minutes=16)) >= 1
    assert await _wallet(db, wallet) == (DOLLAR, 0)
    again = await _reserve(db, payer, 50 * CENT, now=NOW + timedelta(minutes=16))
    assert isinstance(again, uuid.UUID)
    # The "dead" call answered after all: it is charged, without returning its hold twice.
    assert await _settle(db, dead, 20 * CENT)
    assert not await _settle(db, dead, 20 * CENT)
    assert await _wallet(db, wallet) == (DOLLAR - 20 * CENT, 50 * CENT)
    assert (await _reconciled(db, wallet)).ok


@pytest.mark.parametrize("scope", ["user", "department", "tenant", "key"])
async def test_each_quota_level_refuses_past_its_limit_until_the_window_resets(
    db: Database, scope: str
) -> None:
    payer = await new_payer(db)
    await limit(db, payer, scope, 25 * CENT)
    first = await _reserve(db, payer, 20 * CENT)
    assert isinstance(first, uuid.UUID)
    assert await _settle(db, first, 15 * CENT)
    refused = await _reserve(db, payer, 11 * CENT)
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
    assert isinstance(await _reserve(db, payer, 10 * CENT), uuid.UUID)  # exactly what is left
    tomorrow = datetime(2026, 3, 16, 0, 0, 1, tzinfo=UTC)
    assert isinstance(await _reserve(db, payer, 25 * CENT, now=tomorrow), uuid.UUID)


async def test_a_refusal_holds_nothing_at_any_other_limit(db: Database) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    await limit(db, payer, "user", DOLLAR)
    await limit(db, payer, "tenant", 10 * CENT, period="monthly")
    refused = await _reserve(db, payer, 20 * CENT)
    assert isinstance(refused, Refusal) and refused.name == "tenant monthly usd quota"
    assert refused.resets_at == datetime(2026, 4, 1, tzinfo=UTC)
    assert await _wallet(db, wallet) == (DOLLAR, 0)
    # the user's quota was not held either: all of it is still there
    await limit(db, payer, "tenant", 10 * DOLLAR, period="monthly")
    assert isinstance(await _reserve(db, payer, DOLLAR), uuid.UUID)


async def test_token_quotas_count_tokens_and_monthly_windows_follow_the_tenant_zone(
    db: Database,
) -> None:
    payer = await new_payer(db)
    async with db.transaction() as session:
        await session.execute(
            update(Tenant).where(Tenant.id == payer.tenant_id).values(time_zone="Asia/Tokyo")
        )
    await limit(db, payer, "user", 1000, period="monthly", metric="tokens")
    # 2026-03-31 16:00 UTC is already April 1st in Tokyo: a new window.
    end_of_march = datetime(2026, 3, 31, 14, 0, tzinfo=UTC)
    rid = await _reserve(db, payer, DOLLAR, tokens=900, now=end_of_march)
    assert isinstance(rid, uuid.UUID)
    assert await _settle(db, rid, DOLLAR, tokens=1000)
    refused = await _reserve(db, payer, 0, tokens=1, now=end_of_march)
    assert isinstance(refused, Refusal) and refused.left == 0 and refused.left_text() == "0"
    assert refused.resets_at == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert isinstance(
        await _reserve(db, payer, 0, tokens=1000, now=datetime(2026, 3, 31, 15, 0, tzinfo=UTC)),
        uuid.UUID,
    )


async def test_the_most_specific_wallet_pays_and_an_empty_one_refuses(db: Database) -> None:
    payer = await new_payer(db)
    tenant_wallet = await fund(db, payer, DOLLAR)
    user_wallet = await fund(db, payer, 5 * CENT, scope="user")
    refused = await _reserve(db, payer, 6 * CENT)
    assert isinstance(refused, Refusal)
    assert (refused.kind, refused.name, refused.left_text()) == (
        "wallet",
        "user wallet",
        "0.050000000",
    )
    rid = await _reserve(db, payer, 5 * CENT)
    assert isinstance(rid, uuid.UUID)
    assert await _wallet(db, user_wallet) == (5 * CENT, 5 * CENT)
    assert await _wallet(db, tenant_wallet) == (DOLLAR, 0)


async def test_overdraft_and_postpaid_let_the_balance_run_below_zero(db: Database) -> None:
    payer = await new_payer(db)
    overdrawn = await fund(db, payer, CENT, scope="user", overdraft_limit_nanos=2 * CENT)
    assert isinstance(await _reserve(db, payer, 3 * CENT), uuid.UUID)
    assert isinstance(await _reserve(db, payer, 1), Refusal)
    assert await _wallet(db, overdrawn) == (CENT, 3 * CENT)

    other = await new_payer(db)
    postpaid = await fund(db, other, 0, kind="postpaid")
    rid = await _reserve(db, other, 50 * DOLLAR)
    assert isinstance(rid, uuid.UUID)
    assert await _settle(db, rid, 40 * DOLLAR)
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


async def test_reconciliation_finds_a_balance_changed_outside_the_ledger(db: Database) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    async with db.transaction() as session:
        await session.execute(
            update(Wallet).where(Wallet.id == wallet).values(balance_nanos=2 * DOLLAR)
        )
    found = await _reconciled(db, wallet)
    assert not found.ok
    assert (found.balance_nanos, found.ledger_balance_nanos) == (2 * DOLLAR, DOLLAR)


async def test_every_movement_leaves_an_entry_naming_its_reservation(db: Database) -> None:
    payer = await new_payer(db)
    wallet = await fund(db, payer, DOLLAR)
    rid = await _reserve(db, payer, 10 * CENT)
    assert isinstance(rid, uuid.UUID)
    await _settle(db, rid, 4 * CENT)
    async with db.read() as session:
        entries = (
            await session.scalars(select(LedgerEntry).where(LedgerEntry.wallet_id == wallet))
        ).all()
        reservation = await session.get(Reservation, rid)
    assert {(e.kind, e.amount_nanos, e.hold_nanos, e.balance_after_nanos) for e in entries} == {
        ("top_up", DOLLAR, 0, DOLLAR),
        ("reserve", 0, 10 * CENT, DOLLAR),
        ("settle", -4 * CENT, -10 * CENT, DOLLAR - 4 * CENT),
    }
    assert sorted(str(e.reservation_id) for e in entries) == sorted([str(rid), str(rid), "None"])
    assert reservation is not None and reservation.status == "settled"
    assert reservation.actual_nanos == 4 * CENT

"""The wallet ledger: one append-only entry per movement, and the check that balances match.

An entry's `amount_nanos` is what it did to the balance (settle: minus the charge; top-up:
plus), `hold_nanos` what it did to the reserved sum (reserve: plus; settle, release,
expire: minus the hold). So a wallet's balance is the sum of its amounts and its reserved
sum the sum of its holds, whatever happened in between.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.money import to_usd_string
from agentshield.store.errors import NotFound
from agentshield.store.models import LedgerEntry, Wallet
from agentshield.store.outbox import add_event

NO_SYNC = {"synchronize_session": False}


async def move(
    session: AsyncSession,
    wallet_id: uuid.UUID,
    kind: str,
    *,
    amount: int = 0,
    hold: int = 0,
    reservation_id: uuid.UUID | None = None,
    note: str | None = None,
    now: datetime,
) -> LedgerEntry:
    """Change a wallet's balance by `amount` and reserved by `hold`, with its entry."""
    row = (
        await session.execute(
            update(Wallet)
            .where(Wallet.id == wallet_id)
            .values(
                balance_nanos=Wallet.balance_nanos + amount,
                reserved_nanos=Wallet.reserved_nanos + hold,
                updated_at=now,
            )
            .returning(
                Wallet.tenant_id,
                Wallet.balance_nanos,
                Wallet.reserved_nanos,
                Wallet.low_balance_threshold_nanos,
                Wallet.low_balance_alerted,
            )
            .execution_options(**NO_SYNC)
        )
    ).one_or_none()
    if row is None:
        raise NotFound(f"wallet {wallet_id} not found")
    tenant_id, balance, reserved, threshold, alerted = row
    if threshold is not None and (balance < threshold) != alerted:
        await _crossed(session, wallet_id, tenant_id, balance, threshold, now)
    after = (tenant_id, balance, reserved)
    return record(session, wallet_id, after, kind, amount, hold, reservation_id, note, now)


async def _crossed(
    session: AsyncSession,
    wallet_id: uuid.UUID,
    tenant_id: uuid.UUID,
    balance: int,
    threshold: int,
    now: datetime,
) -> None:
    """The balance went below the low-balance threshold (one event) or back up to it (the
    next fall is a new crossing). The UPDATE above holds the wallet's row lock, so
    concurrent movements see the flag this one sets."""
    low = balance < threshold
    await session.execute(
        update(Wallet)
        .where(Wallet.id == wallet_id)
        .values(low_balance_alerted=low)
        .execution_options(**NO_SYNC)
    )
    if low:
        payload = {
            "wallet_id": str(wallet_id),
            "balance": to_usd_string(balance),
            "threshold": to_usd_string(threshold),
        }
        add_event(session, tenant_id, "wallet.low_balance", payload, now)


def record(
    session: AsyncSession,
    wallet_id: uuid.UUID,
    after: tuple[uuid.UUID, int, int],
    kind: str,
    amount: int,
    hold: int,
    reservation_id: uuid.UUID | None,
    note: str | None,
    now: datetime,
) -> LedgerEntry:
    """Add the entry of a movement already made; `after` is (tenant, balance, reserved)."""
    tenant_id, balance, reserved = after
    entry = LedgerEntry(
        tenant_id=tenant_id,
        wallet_id=wallet_id,
        reservation_id=reservation_id,
        kind=kind,
        amount_nanos=amount,
        hold_nanos=hold,
        balance_after_nanos=balance,
        reserved_after_nanos=reserved,
        note=note,
        created_at=now,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True, slots=True)
class Reconciliation:
    balance_nanos: int
    reserved_nanos: int
    ledger_balance_nanos: int
    ledger_reserved_nanos: int

    @property
    def ok(self) -> bool:
        return (self.balance_nanos, self.reserved_nanos) == (
            self.ledger_balance_nanos,
            self.ledger_reserved_nanos,
        )


async def reconcile(session: AsyncSession, wallet_id: uuid.UUID) -> Reconciliation:
    """The wallet's columns against the sums of its ledger."""
    wallet = await session.get(Wallet, wallet_id, populate_existing=True)
    if wallet is None:
        raise NotFound(f"wallet {wallet_id} not found")
    amounts, holds = (
        await session.execute(
            select(
                func.coalesce(func.sum(LedgerEntry.amount_nanos), 0),
                func.coalesce(func.sum(LedgerEntry.hold_nanos), 0),
            ).where(LedgerEntry.wallet_id == wallet_id)
        )
    ).one()
    return Reconciliation(wallet.balance_nanos, wallet.reserved_nanos, int(amounts), int(holds))

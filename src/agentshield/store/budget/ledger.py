"""The wallet ledger: one append-only entry per movement, and the check that balances match.

An entry's `amount_nanos` is what it did to the balance (settle: minus the charge; top-up:
plus), `hold_nanos` what it did to the reserved sum (reserve: plus; settle, release,
expire: minus the hold). So a wallet's balance is the sum of its amounts and its reserved
sum the sum of its holds, whatever happened in between.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.ids import uuid7
from agentshield.engines.money import to_usd_string
from agentshield.store.errors import NotFound
from agentshield.store.models import LeaseHold, LedgerEntry, Wallet
from agentshield.store.outbox import insert_event
from agentshield.store.sql import Sql, as_uuid, in_session

NO_SYNC = {"synchronize_session": False}

_READ = """
SELECT tenant_id, kind, balance_nanos, reserved_nanos, overdraft_limit_nanos,
    low_balance_threshold_nanos, low_balance_alerted
FROM wallets WHERE id = :wallet_id
"""
_WRITE = """
UPDATE wallets SET balance_nanos = :balance, reserved_nanos = :reserved,
    low_balance_alerted = :alerted, updated_at = :now
WHERE id = :wallet_id
"""
_ENTRY = """
INSERT INTO ledger_entries (id, tenant_id, wallet_id, trace_id, kind, amount_nanos,
    hold_nanos, balance_after_nanos, reserved_after_nanos, note, created_at)
VALUES (:id, :tenant_id, :wallet_id, :trace_id, :kind, :amount, :hold, :balance,
    :reserved, :note, :now)
"""


@dataclass(slots=True)
class WalletState:
    tenant_id: uuid.UUID
    kind: str
    balance: int
    reserved: int
    overdraft: int
    threshold: int | None
    alerted: bool
    changed_at: datetime | None = None

    @property
    def spendable(self) -> int:
        return self.balance - self.reserved + self.overdraft

    def can_hold(self, amount: int) -> bool:
        return self.kind == "postpaid" or self.spendable >= amount


class WalletMoves:
    """Movements of some wallets in one transaction, however many calls they serve.

    Each wallet is read (on PostgreSQL: locked, in id order) once; movements are applied in
    memory, in order, each with its ledger entry carrying the balance after it and the
    low-balance crossing it causes; `write` then stores one row per wallet and all entries.
    Holds of many calls may share one entry: `hold` each, then `record_holds`.
    """

    def __init__(self, sql: Sql, wallet_ids: Iterable[uuid.UUID]) -> None:
        self._sql = sql
        self.wallets: dict[uuid.UUID, WalletState] = {}
        self._entries: list[dict[str, object]] = []
        self._held: dict[uuid.UUID, list[int]] = {}  # wallet -> [amount, calls] not recorded
        read = _READ + (" FOR UPDATE" if sql.locks_rows else "")
        for wallet_id in sorted(set(wallet_ids)):
            rows = sql.rows(read, {"wallet_id": wallet_id})
            if rows:
                tenant_id, *numbers, alerted = rows[0]
                self.wallets[wallet_id] = WalletState(as_uuid(tenant_id), *numbers, bool(alerted))

    def move(
        self,
        wallet_id: uuid.UUID,
        kind: str,
        now: datetime,
        *,
        amount: int = 0,
        hold: int = 0,
        trace_id: str | None = None,
        note: str | None = None,
    ) -> None:
        """Change the balance by `amount` and the reserved sum by `hold`, with its entry."""
        wallet = self.wallets[wallet_id]
        wallet.balance += amount
        wallet.reserved += hold
        wallet.changed_at = now
        if wallet.threshold is not None and (wallet.balance < wallet.threshold) != wallet.alerted:
            # Below the threshold: one event; back up to it: the next fall is a new crossing.
            wallet.alerted = not wallet.alerted
            if wallet.alerted:
                payload = {
                    "wallet_id": str(wallet_id),
                    "balance": to_usd_string(wallet.balance),
                    "threshold": to_usd_string(wallet.threshold),
                }
                insert_event(self._sql, wallet.tenant_id, "wallet.low_balance", payload, now)
        self._entry(wallet_id, wallet, kind, now, amount, hold, trace_id, note)

    def hold(self, wallet_id: uuid.UUID, amount: int, now: datetime) -> None:
        """Change the reserved sum for one call; its entry is the one `record_holds` writes
        for all the calls held since."""
        wallet = self.wallets[wallet_id]
        wallet.reserved += amount
        wallet.changed_at = now
        held = self._held.setdefault(wallet_id, [0, 0])
        held[0] += amount
        held[1] += 1

    def record_holds(self, kind: str, now: datetime) -> None:
        """One entry per wallet for the holds since the last call: `N call(s)`."""
        for wallet_id, (amount, calls) in self._held.items():
            if amount:
                wallet = self.wallets[wallet_id]
                self._entry(wallet_id, wallet, kind, now, 0, amount, None, f"{calls} call(s)")
        self._held = {}

    def _entry(
        self,
        wallet_id: uuid.UUID,
        wallet: WalletState,
        kind: str,
        now: datetime,
        amount: int,
        hold: int,
        trace_id: str | None,
        note: str | None,
    ) -> None:
        """The ledger entry of a movement applied, with the sums after it."""
        self._entries.append(
            {
                "id": uuid7(),
                "tenant_id": wallet.tenant_id,
                "wallet_id": wallet_id,
                "trace_id": trace_id,
                "kind": kind,
                "amount": amount,
                "hold": hold,
                "balance": wallet.balance,
                "reserved": wallet.reserved,
                "note": note,
                "now": now,
            }
        )

    def write(self) -> None:
        changed = [
            {
                "balance": wallet.balance,
                "reserved": wallet.reserved,
                "alerted": wallet.alerted,
                "now": wallet.changed_at,
                "wallet_id": wallet_id,
            }
            for wallet_id, wallet in self.wallets.items()
            if wallet.changed_at is not None
        ]
        self._sql.many(_WRITE, changed)
        self._sql.many(_ENTRY, self._entries)
        self._entries = []


async def move(
    session: AsyncSession,
    wallet_id: uuid.UUID,
    kind: str,
    *,
    amount: int = 0,
    note: str | None = None,
    now: datetime,
) -> None:
    """Change a wallet's balance by `amount` (a top-up, an adjustment), with its entry."""
    await in_session(session, _move_step, wallet_id, kind, amount, note, now)


def _move_step(
    sql: Sql, wallet_id: uuid.UUID, kind: str, amount: int, note: str | None, now: datetime
) -> None:
    moves = WalletMoves(sql, [wallet_id])
    if wallet_id not in moves.wallets:
        raise NotFound(f"wallet {wallet_id} not found")
    moves.move(wallet_id, kind, now, amount=amount, note=note)
    moves.write()


@dataclass(frozen=True, slots=True)
class Reconciliation:
    balance_nanos: int
    reserved_nanos: int
    ledger_balance_nanos: int
    ledger_reserved_nanos: int
    leases_reserved_nanos: int  # what the processes' leases say they hold of the wallet

    @property
    def ok(self) -> bool:
        ledger = (self.ledger_balance_nanos, self.ledger_reserved_nanos)
        return (self.balance_nanos, self.reserved_nanos) == ledger and (
            self.reserved_nanos == self.leases_reserved_nanos
        )


async def reconcile(session: AsyncSession, wallet_id: uuid.UUID) -> Reconciliation:
    """The wallet's columns against the sums of its ledger, and its reserved sum against
    what the leases of the processes hold of it."""
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
    leased = await session.scalar(
        select(func.coalesce(func.sum(LeaseHold.amount), 0)).where(
            LeaseHold.kind == "wallet", LeaseHold.target_id == wallet_id
        )
    )
    return Reconciliation(
        wallet.balance_nanos, wallet.reserved_nanos, int(amounts), int(holds), int(leased or 0)
    )

"""Managing a wallet after it is opened: its limits, conversion to prepaid, its history.

Every change is one conditional UPDATE on the wallet's row, so it is atomic with the
holds and settlements that update the same row (the budget step, `ledger.move`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.money import to_usd_string
from agentshield.store.budget.ledger import NO_SYNC
from agentshield.store.errors import Conflict, Invalid, NotFound
from agentshield.store.models import LedgerEntry, Wallet
from agentshield.store.scoped import get_owned

# What `change_wallet` may change.
CHANGEABLE = ("overdraft_limit_nanos", "low_balance_threshold_nanos")


async def change_wallet(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    wallet_id: uuid.UUID,
    now: datetime,
    **changes: int | None,
) -> Wallet:
    """Set the overdraft limit and/or the low-balance threshold (None: no threshold).

    A threshold set above the balance counts as already crossed: the low-balance event
    comes from money moving (`ledger.move`), so the next one is raised when the balance has
    been back at or above the threshold and falls below it again."""
    if not set(changes) <= set(CHANGEABLE):
        raise Invalid(f"a wallet's changeable fields are {CHANGEABLE}")
    if changes.get("overdraft_limit_nanos", 0) is None:
        raise Invalid("an overdraft limit cannot be null: set 0 for none")
    if any(value is not None and value < 0 for value in changes.values()):
        raise Invalid("an overdraft limit or low-balance threshold cannot be negative")
    await get_owned(session, Wallet, tenant_id, wallet_id)
    values: dict[str, object] = dict(changes)
    if "low_balance_threshold_nanos" in changes:
        threshold = changes["low_balance_threshold_nanos"]
        # Compared in the UPDATE, on the row as it is when locked: no movement in between.
        values["low_balance_alerted"] = threshold is not None and Wallet.balance_nanos < threshold
    if values:
        await session.execute(
            update(Wallet)
            .where(Wallet.id == wallet_id)
            .values(updated_at=now, **values)
            .execution_options(**NO_SYNC)
        )
    return await fresh(session, wallet_id)


async def convert_to_prepaid(
    session: AsyncSession, tenant_id: uuid.UUID, wallet_id: uuid.UUID, now: datetime
) -> Wallet:
    """Postpaid -> prepaid. Refused while the balance is negative (an unpaid statement): a
    prepaid wallet in debt would refuse every call at once, and the debt would be lost from
    view. Calls already reserved settle as usual."""
    converted = await session.scalar(
        update(Wallet)
        .where(
            Wallet.id == wallet_id,
            Wallet.tenant_id == tenant_id,
            Wallet.kind == "postpaid",
            Wallet.balance_nanos >= 0,
        )
        .values(kind="prepaid", updated_at=now)
        .returning(Wallet.id)
        .execution_options(**NO_SYNC)
    )
    if converted is None:
        wallet = await get_owned(session, Wallet, tenant_id, wallet_id)
        if wallet.kind == "prepaid":
            raise Conflict(f"wallet {wallet_id} is already prepaid")
        raise Conflict(
            f"wallet {wallet_id} owes {to_usd_string(-wallet.balance_nanos)} USD: top it up "
            "to a balance of at least 0 before converting it to prepaid"
        )
    return await fresh(session, wallet_id)


async def ledger_page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    wallet_id: uuid.UUID,
    *,
    limit: int = 100,
    before: uuid.UUID | None = None,
) -> Sequence[LedgerEntry]:
    """The wallet's entries, newest first; `before` (an entry id) starts after that entry."""
    await get_owned(session, Wallet, tenant_id, wallet_id)
    query = select(LedgerEntry).where(
        LedgerEntry.tenant_id == tenant_id, LedgerEntry.wallet_id == wallet_id
    )
    if before is not None:
        cursor = (
            await session.execute(
                select(LedgerEntry.created_at, LedgerEntry.id).where(
                    LedgerEntry.id == before, LedgerEntry.wallet_id == wallet_id
                )
            )
        ).one_or_none()
        if cursor is None:
            raise NotFound(f"ledger entry {before} not found in wallet {wallet_id}")
        query = query.where(tuple_(LedgerEntry.created_at, LedgerEntry.id) < tuple(cursor))
    order = (LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
    return (await session.scalars(query.order_by(*order).limit(limit))).all()


async def fresh(session: AsyncSession, wallet_id: uuid.UUID) -> Wallet:
    """The wallet as its row is now (movements update it without touching the session)."""
    wallet = await session.get(Wallet, wallet_id, populate_existing=True)
    assert wallet is not None  # the caller found it in this transaction
    return wallet

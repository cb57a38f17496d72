"""Reserve: hold a call's maximum cost against every limit at once, or against none.

Each limit is one conditional UPDATE; the first that matches no row refuses the call and
the savepoint around them all is rolled back, so a refused call holds nothing anywhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.budget import Refusal, window_bounds
from agentshield.engines.identity import Caller
from agentshield.engines.ids import uuid7
from agentshield.store.budget.ledger import NO_SYNC, record
from agentshield.store.budget.limits import find_limits
from agentshield.store.models import Quota, QuotaUsage, Reservation, Wallet

# After this a held reservation is taken for dead (its process killed) and released.
DEFAULT_TTL = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Held:
    """A reservation made; `reservation_id` None when no limit applies (nothing held)."""

    reservation_id: uuid.UUID | None


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal


async def reserve(
    session: AsyncSession,
    caller: Caller,
    amount_nanos: int,
    tokens: int,
    now: datetime,
    *,
    trace_id: str = "",
    ttl: timedelta = DEFAULT_TTL,
) -> Held | Refusal:
    """Runs in the caller's transaction; commit it to make the hold count for others."""
    if amount_nanos < 0 or tokens < 0:
        raise ValueError("a reservation cannot be negative")
    limits = await find_limits(session, caller)
    if limits.none:  # no budget set: never refused, nothing to settle
        return Held(None)
    reservation_id = uuid7()
    targets: list[dict[str, Any]] = []
    try:
        async with session.begin_nested():
            for quota in limits.quotas:
                held = amount_nanos if quota.metric == "usd" else tokens
                start, end = window_bounds(quota.period, now, limits.time_zone)
                usage_id = await _hold_quota(session, quota, start, end, held)
                targets.append(
                    {
                        "kind": "quota",
                        "id": str(usage_id),
                        "quota_id": str(quota.id),
                        "metric": quota.metric,
                        "amount": held,
                    }
                )
            if limits.wallet is not None:
                wallet = limits.wallet
                after = await _hold_wallet(session, wallet, amount_nanos)
                record(
                    session, wallet.id, after, "reserve", 0, amount_nanos, reservation_id, None, now
                )
                targets.append(
                    {
                        "kind": "wallet",
                        "id": str(wallet.id),
                        "metric": "usd",
                        "amount": amount_nanos,
                    }
                )
            session.add(
                Reservation(
                    id=reservation_id,
                    tenant_id=caller.tenant_id,
                    trace_id=trace_id,
                    amount_nanos=amount_nanos,
                    tokens=tokens,
                    targets=targets,
                    status="held",
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
            await session.flush()
    except _Refused as refused:
        return refused.refusal
    return Held(reservation_id)


async def _hold_quota(
    session: AsyncSession, quota: Quota, start: datetime, end: datetime, amount: int
) -> uuid.UUID:
    hold = (
        update(QuotaUsage)
        .where(
            QuotaUsage.quota_id == quota.id,
            QuotaUsage.window_start == start,
            QuotaUsage.used + QuotaUsage.reserved + amount <= quota.limit_amount,
        )
        .values(reserved=QuotaUsage.reserved + amount)
        .returning(QuotaUsage.id)
        .execution_options(**NO_SYNC)
    )
    usage_id = await session.scalar(hold)
    if usage_id is None:  # the window's first call, or the limit refuses: open it and retry
        await _open_window(session, quota.id, start)
        usage_id = await session.scalar(hold)
    if usage_id is None:
        used = (
            await session.execute(
                select(QuotaUsage.used + QuotaUsage.reserved).where(
                    QuotaUsage.quota_id == quota.id, QuotaUsage.window_start == start
                )
            )
        ).scalar_one()
        raise _Refused(
            Refusal(
                kind="quota",
                scope=quota.scope,
                scope_id=quota.scope_id,
                metric=quota.metric,
                limit=quota.limit_amount,
                left=max(0, quota.limit_amount - used),
                asked=amount,
                period=quota.period,
                resets_at=end,
            )
        )
    return usage_id


async def _open_window(session: AsyncSession, quota_id: uuid.UUID, start: datetime) -> None:
    """Insert the window's usage row unless another call already did (it may race us)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(QuotaUsage)
        .values(id=uuid7(), quota_id=quota_id, window_start=start, used=0, reserved=0)
        .on_conflict_do_nothing(index_elements=["quota_id", "window_start"])
    )


async def _hold_wallet(
    session: AsyncSession, wallet: Wallet, amount: int
) -> tuple[uuid.UUID, int, int]:
    spendable = Wallet.balance_nanos - Wallet.reserved_nanos + Wallet.overdraft_limit_nanos
    row = (
        await session.execute(
            update(Wallet)
            .where(Wallet.id == wallet.id, (Wallet.kind == "postpaid") | (spendable >= amount))
            .values(reserved_nanos=Wallet.reserved_nanos + amount)
            .returning(Wallet.tenant_id, Wallet.balance_nanos, Wallet.reserved_nanos)
            .execution_options(**NO_SYNC)
        )
    ).one_or_none()
    if row is None:
        left = (await session.execute(select(spendable).where(Wallet.id == wallet.id))).scalar_one()
        raise _Refused(
            Refusal(
                kind="wallet",
                scope=wallet.owner_scope,
                scope_id=wallet.owner_id,
                metric="usd",
                limit=wallet.overdraft_limit_nanos,
                left=max(0, int(left)),
                asked=amount,
            )
        )
    return row[0], row[1], row[2]

"""Setting limits up: quotas, wallets, and top-ups (with their ledger entries)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.budget.windows import PERIODS
from agentshield.store.budget.ledger import move
from agentshield.store.errors import Invalid
from agentshield.store.models import LedgerEntry, Quota, Wallet
from agentshield.store.scoped import get_owned, save

QUOTA_SCOPES = ("user", "department", "tenant", "key")
WALLET_SCOPES = ("user", "department", "tenant")
METRICS = ("usd", "tokens")
WALLET_KINDS = ("prepaid", "postpaid")


async def set_quota(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    scope: str,
    scope_id: uuid.UUID,
    period: str,
    metric: str,
    limit: int,
) -> Quota:
    """Create or change the quota of (scope, id, period, metric); usage so far is kept."""
    if scope not in QUOTA_SCOPES or period not in PERIODS or metric not in METRICS:
        raise Invalid(
            f"quota needs scope in {QUOTA_SCOPES}, period in {PERIODS}, metric in {METRICS}"
        )
    if limit < 0:
        raise Invalid("a quota's limit cannot be negative")
    quota = await session.scalar(
        select(Quota).where(
            Quota.tenant_id == tenant_id,
            Quota.scope == scope,
            Quota.scope_id == scope_id,
            Quota.period == period,
            Quota.metric == metric,
        )
    )
    if quota is None:
        quota = Quota(
            tenant_id=tenant_id, scope=scope, scope_id=scope_id, period=period, metric=metric
        )
    quota.limit_amount = limit
    await save(session, quota, f"{scope} {period} {metric} quota")
    return quota


async def open_wallet(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    owner_scope: str,
    owner_id: uuid.UUID,
    kind: str = "prepaid",
    overdraft_limit_nanos: int = 0,
    low_balance_threshold_nanos: int | None = None,
) -> Wallet:
    """An empty wallet; money comes in by `top_up`, so the ledger holds all of it."""
    if owner_scope not in WALLET_SCOPES or kind not in WALLET_KINDS:
        raise Invalid(f"wallet needs owner_scope in {WALLET_SCOPES}, kind in {WALLET_KINDS}")
    if overdraft_limit_nanos < 0:
        raise Invalid("an overdraft limit cannot be negative")
    wallet = Wallet(
        tenant_id=tenant_id,
        owner_scope=owner_scope,
        owner_id=owner_id,
        kind=kind,
        balance_nanos=0,
        reserved_nanos=0,
        overdraft_limit_nanos=overdraft_limit_nanos,
        low_balance_threshold_nanos=low_balance_threshold_nanos,
    )
    await save(session, wallet, f"{owner_scope} wallet")
    return wallet


async def top_up(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    wallet_id: uuid.UUID,
    amount_nanos: int,
    now: datetime,
    note: str | None = None,
) -> LedgerEntry:
    if amount_nanos <= 0:
        raise Invalid("a top-up must be a positive amount")
    await get_owned(session, Wallet, tenant_id, wallet_id)
    return await move(session, wallet_id, "top_up", amount=amount_nanos, note=note, now=now)

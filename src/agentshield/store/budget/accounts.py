"""Setting limits up: quotas and wallets, each owned by a row of the tenant."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.budget.windows import PERIODS
from agentshield.store.errors import Invalid, NotFound
from agentshield.store.models import ApiKey, Department, Quota, Tenant, User, Wallet
from agentshield.store.scoped import get_owned, save

QUOTA_SCOPES = ("user", "department", "tenant", "key")
WALLET_SCOPES = ("user", "department", "tenant")
METRICS = ("usd", "tokens")
WALLET_KINDS = ("prepaid", "postpaid")
_OWNER_ROWS = {"user": User, "department": Department, "key": ApiKey}


async def require_owner(
    session: AsyncSession, tenant_id: uuid.UUID, scope: str, owner_id: uuid.UUID
) -> None:
    """The owner of a quota or wallet must be a row of the tenant (NotFound otherwise, as
    for another tenant's row); the tenant scope's only owner is the tenant itself."""
    if scope == "tenant":
        if owner_id != tenant_id:
            raise NotFound(f"tenants {owner_id} not found")
        return
    if scope not in _OWNER_ROWS:
        raise Invalid(f"scope must be one of {QUOTA_SCOPES}")
    await get_owned(session, _OWNER_ROWS[scope], tenant_id, owner_id)


async def tenant_time_zone(session: AsyncSession, tenant_id: uuid.UUID) -> str | None:
    """The zone of the tenant's quota windows and statements; None means UTC."""
    return await session.scalar(select(Tenant.time_zone).where(Tenant.id == tenant_id))


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


async def remove_quota(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    scope: str,
    scope_id: uuid.UUID,
    period: str,
    metric: str,
) -> bool:
    """Drop a quota and its usage rows; False when there was none. Calls holding a part of
    it still settle: their target usage row is simply gone, so nothing is counted."""
    removed = await session.execute(
        delete(Quota).where(
            Quota.tenant_id == tenant_id,
            Quota.scope == scope,
            Quota.scope_id == scope_id,
            Quota.period == period,
            Quota.metric == metric,
        )
    )
    return bool(removed.rowcount)  # type: ignore[attr-defined]


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
    """An empty wallet; money comes in by `top_up`, so the ledger holds all of it. Opened
    below its low-balance threshold it counts as already alerted: the first event comes
    when it has been topped up to the threshold and falls below it again."""
    if owner_scope not in WALLET_SCOPES or kind not in WALLET_KINDS:
        raise Invalid(f"wallet needs owner_scope in {WALLET_SCOPES}, kind in {WALLET_KINDS}")
    if overdraft_limit_nanos < 0:
        raise Invalid("an overdraft limit cannot be negative")
    await require_owner(session, tenant_id, owner_scope, owner_id)
    wallet = Wallet(
        tenant_id=tenant_id,
        owner_scope=owner_scope,
        owner_id=owner_id,
        kind=kind,
        balance_nanos=0,
        reserved_nanos=0,
        overdraft_limit_nanos=overdraft_limit_nanos,
        low_balance_threshold_nanos=low_balance_threshold_nanos,
        low_balance_alerted=low_balance_threshold_nanos is not None
        and low_balance_threshold_nanos > 0,
    )
    await save(session, wallet, f"{owner_scope} wallet")
    return wallet

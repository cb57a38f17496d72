"""An owner's quotas as an admin sees them, set or removed together, and the daily reset.

A quota's use lives in the usage row of the current window (named by the window's start,
`engines.budget.windows`); a window nobody has called in yet has no row and counts as 0.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.budget import window_bounds
from agentshield.store.budget.accounts import (
    remove_quota,
    require_owner,
    set_quota,
    tenant_time_zone,
)
from agentshield.store.errors import NotFound
from agentshield.store.models import Quota, QuotaUsage

# (period, metric) of every quota an owner may have.
KINDS = (("daily", "usd"), ("monthly", "usd"), ("daily", "tokens"), ("monthly", "tokens"))


@dataclass(frozen=True, slots=True)
class QuotaView:
    """One quota in its current window: nano-dollars for metric usd, tokens otherwise."""

    period: str
    metric: str
    limit: int
    used: int
    reserved: int
    window_start: datetime
    resets_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used - self.reserved)


async def quota_views(
    session: AsyncSession, tenant_id: uuid.UUID, scope: str, owner_id: uuid.UUID, now: datetime
) -> list[QuotaView]:
    """Every quota the owner has, in the order of KINDS."""
    await require_owner(session, tenant_id, scope, owner_id)
    time_zone = await tenant_time_zone(session, tenant_id)
    quotas = {(q.period, q.metric): q for q in await _quotas(session, tenant_id, scope, owner_id)}
    views = []
    for kind in KINDS:
        quota = quotas.get(kind)
        if quota is None:
            continue
        start, end = window_bounds(quota.period, now, time_zone)
        usage = (
            await session.execute(
                select(QuotaUsage.used, QuotaUsage.reserved).where(
                    QuotaUsage.quota_id == quota.id, QuotaUsage.window_start == start
                )
            )
        ).one_or_none()
        used, reserved = usage if usage is not None else (0, 0)
        views.append(
            QuotaView(quota.period, quota.metric, quota.limit_amount, used, reserved, start, end)
        )
    return views


async def set_quotas(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    scope: str,
    owner_id: uuid.UUID,
    limits: Mapping[tuple[str, str], int | None],
) -> None:
    """Set each (period, metric) named in `limits`; None removes that quota. Kinds left out
    are unchanged, and so is the usage of a quota whose limit changes."""
    await require_owner(session, tenant_id, scope, owner_id)
    for (period, metric), limit in limits.items():
        where = {"scope": scope, "scope_id": owner_id, "period": period, "metric": metric}
        if limit is None:
            await remove_quota(session, tenant_id, **where)
        else:
            await set_quota(session, tenant_id, limit=limit, **where)


async def reset_daily(
    session: AsyncSession, tenant_id: uuid.UUID, scope: str, owner_id: uuid.UUID, now: datetime
) -> dict[str, int]:
    """Zero what the owner's daily quotas used in today's window; returns what each metric
    had used. `reserved` stays: calls in flight still settle into the window."""
    await require_owner(session, tenant_id, scope, owner_id)
    daily = [q for q in await _quotas(session, tenant_id, scope, owner_id) if q.period == "daily"]
    if not daily:
        raise NotFound(f"{scope} {owner_id} has no daily quota")
    time_zone = await tenant_time_zone(session, tenant_id)
    start, _ = window_bounds("daily", now, time_zone)
    cleared = {}
    for quota in daily:
        where = (QuotaUsage.quota_id == quota.id, QuotaUsage.window_start == start)
        # Locked first (PostgreSQL; SQLite writers are serial), so no settle lands between
        # reading what was used and zeroing it.
        used = await session.scalar(select(QuotaUsage.used).where(*where).with_for_update())
        await session.execute(update(QuotaUsage).where(*where).values(used=0))
        cleared[quota.metric] = used or 0
    return cleared


async def _quotas(
    session: AsyncSession, tenant_id: uuid.UUID, scope: str, owner_id: uuid.UUID
) -> list[Quota]:
    rows = await session.scalars(
        select(Quota)
        .where(Quota.tenant_id == tenant_id, Quota.scope == scope, Quota.scope_id == owner_id)
        .order_by(Quota.id)
    )
    return list(rows)

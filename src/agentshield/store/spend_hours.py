"""Users' requests as the anomaly engine counts them, read from the `requests` table.

A request counts when the gateway let it through (any decision but `block` or `hold`): a
refused call spent nothing and would only make a refused user look busier.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.anomaly import HourTally, SpendRecord
from agentshield.store.models import RequestRecord

REFUSED = ("block", "hold")


async def spend_records(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    since: datetime,
    until: datetime,
) -> list[SpendRecord]:
    """The user's counted requests made in [since, until), oldest first."""
    rows = await session.execute(
        select(RequestRecord.created_at, RequestRecord.model, RequestRecord.cost_nanos)
        .where(
            RequestRecord.tenant_id == tenant_id,
            RequestRecord.created_at >= since,
            RequestRecord.created_at < until,
            RequestRecord.user_id == user_id,
            RequestRecord.decision.not_in(REFUSED),
        )
        .order_by(RequestRecord.created_at)
    )
    return [SpendRecord(str(user_id), at, model or "", cost) for at, model, cost in rows]


async def active_users(
    session: AsyncSession, since: datetime, until: datetime
) -> Sequence[tuple[uuid.UUID, uuid.UUID]]:
    """(tenant id, user id) of every user with a counted request in [since, until)."""
    rows = await session.execute(
        select(RequestRecord.tenant_id, RequestRecord.user_id)
        .where(
            RequestRecord.created_at >= since,
            RequestRecord.created_at < until,
            RequestRecord.tenant_id.is_not(None),
            RequestRecord.user_id.is_not(None),
            RequestRecord.decision.not_in(REFUSED),
        )
        .distinct()
    )
    return [(tenant_id, user_id) for tenant_id, user_id in rows]


async def hour_tally(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, hour: datetime
) -> HourTally:
    """The user's counted requests in the UTC hour starting at `hour`, summed in the database.

    Hours of the day are UTC hours, so all of an hour's requests share one.
    """
    rows = await session.execute(
        select(
            RequestRecord.model,
            func.count(),
            func.coalesce(func.sum(RequestRecord.cost_nanos), 0),
            func.min(RequestRecord.created_at),
        )
        .where(
            RequestRecord.tenant_id == tenant_id,
            RequestRecord.created_at >= hour,
            RequestRecord.created_at < hour + timedelta(hours=1),
            RequestRecord.user_id == user_id,
            RequestRecord.decision.not_in(REFUSED),
        )
        .group_by(RequestRecord.model)
    )
    tally = HourTally(hour)
    for model, count, spend, first in rows:
        tally.models[model or ""] += count
        tally.requests += count
        tally.spend_nanos += int(spend)
        tally.first_at = first if tally.first_at is None else min(tally.first_at, first)
    if tally.requests:
        tally.hours_of_day[hour.hour] = tally.requests
    return tally

"""Spend anomalies and the per-user profiles their model is refitted from.

A BLOCK anomaly not yet acknowledged keeps its user in restricted mode; acknowledging it is
an admin's act and is recorded with who and when.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.anomaly import Assessment, Severity, SpendProfile
from agentshield.store.errors import Invalid
from agentshield.store.models import SpendAnomaly, User, UserSpendProfile, utcnow
from agentshield.store.scoped import get_owned, save


async def record_anomaly(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, assessment: Assessment
) -> SpendAnomaly:
    if assessment.severity is Severity.NONE:
        raise Invalid("only an hour scored ALERT or above is an anomaly")
    await get_owned(session, User, tenant_id, user_id)
    row = SpendAnomaly(
        tenant_id=tenant_id,
        user_id=user_id,
        hour=assessment.hour.hour,
        features=assessment.features_json(),
        baseline_nanos=assessment.baseline_nanos,
        actual_nanos=assessment.actual_nanos,
        deviation=assessment.deviation,
        score=assessment.score,
        severity=assessment.severity.value,
        action=assessment.action,
        model_kind=assessment.model_kind,
    )
    await save(session, row, "spend anomaly")
    return row


async def list_anomalies(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    user_id: uuid.UUID | None = None,
    resolved: bool | None = None,
) -> Sequence[SpendAnomaly]:
    """Newest first. `resolved` is whether an admin acknowledged it; None lists both."""
    query = select(SpendAnomaly).where(SpendAnomaly.tenant_id == tenant_id)
    if user_id is not None:
        query = query.where(SpendAnomaly.user_id == user_id)
    if resolved is True:
        query = query.where(SpendAnomaly.acknowledged_at.is_not(None))
    elif resolved is False:
        query = query.where(SpendAnomaly.acknowledged_at.is_(None))
    rows = await session.scalars(query.order_by(SpendAnomaly.created_at.desc()))
    return rows.all()


async def acknowledge(
    session: AsyncSession, tenant_id: uuid.UUID, anomaly_id: uuid.UUID, by: uuid.UUID
) -> SpendAnomaly:
    """Idempotent: a second acknowledgement keeps the first one's who and when."""
    row = await get_owned(session, SpendAnomaly, tenant_id, anomaly_id)
    await get_owned(session, User, tenant_id, by)
    if row.acknowledged_at is None:
        row.acknowledged_at = utcnow()
        row.acknowledged_by = by
        await save(session, row, "spend anomaly")
    return row


async def is_restricted(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether a BLOCK of this user still awaits an admin's acknowledgement."""
    pending = await session.scalar(
        select(SpendAnomaly.id)
        .where(
            SpendAnomaly.tenant_id == tenant_id,
            SpendAnomaly.user_id == user_id,
            SpendAnomaly.severity == Severity.BLOCK.value,
            SpendAnomaly.acknowledged_at.is_(None),
        )
        .limit(1)
    )
    return pending is not None


async def load_profile(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> SpendProfile | None:
    row = await _profile_row(session, tenant_id, user_id)
    return None if row is None else SpendProfile.from_json(row.profile)


async def save_profile(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, profile: SpendProfile
) -> None:
    row = await _profile_row(session, tenant_id, user_id)
    if row is None:
        await get_owned(session, User, tenant_id, user_id)
        row = UserSpendProfile(tenant_id=tenant_id, user_id=user_id)
    row.profile = profile.to_json()
    row.trained_until = profile.trained_until
    await save(session, row, "spend profile")


async def _profile_row(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> UserSpendProfile | None:
    return await session.scalar(
        select(UserSpendProfile).where(
            UserSpendProfile.tenant_id == tenant_id, UserSpendProfile.user_id == user_id
        )
    )

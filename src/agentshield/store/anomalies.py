"""Spend anomalies and the per-user profiles their model is refitted from.

A BLOCK anomaly not yet acknowledged keeps its user in restricted mode; a THROTTLE (or BLOCK)
not yet acknowledged halves the user's rate limits for the rest of its hour. Acknowledging
is an admin's act, recorded with who and when; it lifts the anomaly's action.

`raise_anomaly` writes an hour's anomaly once per severity, with its `spend.anomaly` outbox
event in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.anomaly import Assessment, Severity, SpendProfile
from agentshield.engines.money import to_usd_string
from agentshield.store.errors import Conflict, Invalid
from agentshield.store.models import SpendAnomaly, User, UserSpendProfile, utcnow
from agentshield.store.outbox import add_event
from agentshield.store.scoped import get_owned, save

EVENT_KIND = "spend.anomaly"
SLOWING = (Severity.THROTTLE.value, Severity.BLOCK.value)


@dataclass(frozen=True, slots=True)
class OpenActions:
    """What a user's unacknowledged anomalies impose now."""

    restricted_by: uuid.UUID | None  # the oldest unacknowledged BLOCK
    throttled: bool  # an unacknowledged THROTTLE or BLOCK in the current hour
    raised: frozenset[str]  # severities already recorded for the current hour


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


async def raise_anomaly(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    assessment: Assessment,
    now: datetime,
) -> SpendAnomaly:
    """The hour's anomaly of this severity: recorded with its event, or the one already there."""
    existing = await _find_of_hour(session, tenant_id, user_id, assessment)
    if existing is not None:
        return existing
    try:
        row = await record_anomaly(session, tenant_id, user_id, assessment)
    except Conflict:  # another replica recorded it (and its event) just now
        found = await _find_of_hour(session, tenant_id, user_id, assessment)
        assert found is not None
        return found
    payload = {
        "anomaly_id": str(row.id),
        "user_id": str(user_id),
        "hour": assessment.hour.hour.isoformat(),
        "severity": row.severity,
        "action": row.action,
        "score": row.score,
        "deviation": row.deviation,
        "baseline": to_usd_string(row.baseline_nanos),
        "actual": to_usd_string(row.actual_nanos),
    }
    add_event(session, tenant_id, EVENT_KIND, payload, now)
    return row


async def _find_of_hour(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, assessment: Assessment
) -> SpendAnomaly | None:
    return await session.scalar(
        select(SpendAnomaly).where(
            SpendAnomaly.tenant_id == tenant_id,
            SpendAnomaly.user_id == user_id,
            SpendAnomaly.hour == assessment.hour.hour,
            SpendAnomaly.severity == assessment.severity.value,
        )
    )


async def open_actions(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, hour: datetime
) -> OpenActions:
    """`hour`: the start of the current hour."""
    restricted_by = await restricting(session, tenant_id, user_id)
    rows = await session.execute(
        select(SpendAnomaly.severity, SpendAnomaly.acknowledged_at).where(
            SpendAnomaly.tenant_id == tenant_id,
            SpendAnomaly.user_id == user_id,
            SpendAnomaly.hour == hour,
        )
    )
    this_hour = rows.all()
    throttled = any(sev in SLOWING and acked is None for sev, acked in this_hour)
    return OpenActions(restricted_by, throttled, frozenset(sev for sev, _ in this_hour))


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
    return await restricting(session, tenant_id, user_id) is not None


async def restricting(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> uuid.UUID | None:
    """The oldest BLOCK of this user still awaiting an admin's acknowledgement."""
    return await session.scalar(
        select(SpendAnomaly.id)
        .where(
            SpendAnomaly.tenant_id == tenant_id,
            SpendAnomaly.user_id == user_id,
            SpendAnomaly.severity == Severity.BLOCK.value,
            SpendAnomaly.acknowledged_at.is_(None),
        )
        .order_by(SpendAnomaly.created_at)
        .limit(1)
    )


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

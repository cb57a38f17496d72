"""Spend anomalies: list them, acknowledge one (lifting its action), retrain a user's model.

Acknowledging a BLOCK takes its user out of restricted mode: at once in this process, and
in other gateway processes at their next refresh of the user (at most 30 s). Retraining
folds the user's finished hours into their profile first, then refits on all of them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import Field, computed_field

from agentshield.api.deps import AdminCaller, DbSession, ManagerCaller, Work
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Out, UsdString
from agentshield.api.trail import record_action
from agentshield.store import anomalies
from agentshield.store.spend_profiles import retrain
from agentshield.store.spend_watch import SpendWatch

router = APIRouter(prefix="/budget/anomalies", tags=["budget"], route_class=ApiRoute)


def _watch(request: Request) -> SpendWatch:
    return request.app.state.spend_watch


Watch = Annotated[SpendWatch, Depends(_watch)]


class AnomalyOut(Out):
    id: uuid.UUID
    user_id: uuid.UUID
    hour: datetime
    baseline: UsdString = Field(validation_alias="baseline_nanos")  # typical hourly spend
    actual: UsdString = Field(validation_alias="actual_nanos")  # the hour's, with the call
    deviation: float
    score: float
    severity: str
    action: str
    model_kind: str
    features: dict[str, Any]
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None
    created_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class TrainedOut(Out):
    user_id: uuid.UUID
    model_kind: str  # "iforest", "std" (standard deviations) or "none" (fewer than 3 hours)
    samples: int
    trained_until: datetime | None


@router.get("", response_model=list[AnomalyOut], summary="List spend anomalies")
async def list_anomalies(
    caller: AdminCaller,
    session: DbSession,
    user_id: uuid.UUID | None = None,
    resolved: bool | None = None,
) -> object:
    """Newest first; `resolved=false`: those still awaiting an acknowledgement."""
    rows = await anomalies.list_anomalies(
        session, caller.tenant_id, user_id=user_id, resolved=resolved
    )
    return rows


@router.post(
    "/{anomaly_id}/acknowledge", response_model=AnomalyOut, summary="Acknowledge an anomaly"
)
async def acknowledge(
    anomaly_id: uuid.UUID, caller: ManagerCaller, session: DbSession, work: Work, watch: Watch
) -> object:
    assert caller.user_id is not None  # a manager is a user with a role
    row = await anomalies.acknowledge(session, caller.tenant_id, anomaly_id, by=caller.user_id)
    await record_action(
        session,
        caller,
        "spend_anomaly.acknowledged",
        anomaly_id=row.id,
        user_id=row.user_id,
        severity=row.severity,
    )
    work.after_commit(lambda: watch.forget(caller.tenant_id, row.user_id))
    return row


@router.post(
    "/train-model/{user_id}", response_model=TrainedOut, summary="Retrain a user's spend model"
)
async def train_model(
    user_id: uuid.UUID, caller: ManagerCaller, session: DbSession, work: Work, watch: Watch
) -> object:
    profile = await retrain(session, caller.tenant_id, user_id, watch.clock())
    await record_action(
        session, caller, "spend_model.trained", user_id=user_id, samples=len(profile.samples)
    )
    work.after_commit(lambda: watch.forget(caller.tenant_id, user_id))
    return TrainedOut(
        user_id=user_id,
        model_kind=profile.model_kind(),
        samples=len(profile.samples),
        trained_until=profile.trained_until,
    )

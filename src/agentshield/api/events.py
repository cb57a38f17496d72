"""The tenant's events (`wallet.low_balance`, `spend.anomaly`, ...), newest first, as the
outbox holds them: written in the transaction of the change they report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from agentshield.api.deps import AdminCaller, DbSession
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Out
from agentshield.store.outbox import list_events

router = APIRouter(prefix="/events", tags=["events"], route_class=ApiRoute)


class EventOut(Out):
    id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    dispatched_at: datetime | None


@router.get("", response_model=list[EventOut], summary="List the tenant's events")
async def events(
    caller: AdminCaller,
    session: DbSession,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Any]:
    return list(await list_events(session, caller.tenant_id, kind, limit))

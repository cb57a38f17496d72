"""The caller's own tenant."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter

from agentshield.api.deps import AdminCaller, DbSession
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Out
from agentshield.store.tenancy import get_tenant

router = APIRouter(prefix="/tenant", tags=["tenant"], route_class=ApiRoute)


class TenantOut(Out):
    id: uuid.UUID
    name: str
    slug: str
    time_zone: str | None
    created_at: datetime


@router.get("", response_model=TenantOut, summary="The caller's tenant")
async def read_tenant(caller: AdminCaller, session: DbSession) -> object:
    return await get_tenant(session, caller.tenant_id)

"""Quotas of a user, department, tenant or key: read with their use, set, reset the day.

An owner has up to four quotas, named like the fields of the bodies: `daily_usd`,
`monthly_usd`, `daily_tokens`, `monthly_tokens`. Reading needs an admin key; changing
needs an owner or admin user as well. See docs/budget.md.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.api.budget_common import QuotaScope, Tokens, Usd, limits_changed
from agentshield.api.deps import AdminCaller, DbSession, ManagerCaller, Work
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body, UsdString
from agentshield.api.trail import record_action
from agentshield.engines.money import to_usd_string
from agentshield.store.budget.quotas import quota_views, reset_daily, set_quotas

router = APIRouter(prefix="/budget/quotas", tags=["budget"], route_class=ApiRoute)
OWNER = "/{scope}/{owner_id}"


class QuotasIn(Body):
    """Fields left out stay as they are; null removes that quota (its use is forgotten)."""

    daily_usd: Usd | None = None
    monthly_usd: Usd | None = None
    daily_tokens: Tokens | None = None
    monthly_tokens: Tokens | None = None


class UsdQuotaOut(BaseModel):
    limit: UsdString
    used: UsdString
    reserved: UsdString  # held by calls in flight
    remaining: UsdString
    window_start: datetime
    resets_at: datetime


class TokenQuotaOut(BaseModel):
    limit: int
    used: int
    reserved: int
    remaining: int
    window_start: datetime
    resets_at: datetime


class QuotasOut(BaseModel):
    scope: str
    id: uuid.UUID
    daily_usd: UsdQuotaOut | None = None
    monthly_usd: UsdQuotaOut | None = None
    daily_tokens: TokenQuotaOut | None = None
    monthly_tokens: TokenQuotaOut | None = None


async def _view(
    session: AsyncSession, tenant_id: uuid.UUID, scope: str, owner_id: uuid.UUID
) -> QuotasOut:
    views = await quota_views(session, tenant_id, scope, owner_id, datetime.now(UTC))
    fields: dict[str, Any] = {}
    for view in views:
        shape = UsdQuotaOut if view.metric == "usd" else TokenQuotaOut
        fields[f"{view.period}_{view.metric}"] = shape(
            limit=view.limit,
            used=view.used,
            reserved=view.reserved,
            remaining=view.remaining,
            window_start=view.window_start,
            resets_at=view.resets_at,
        )
    return QuotasOut(scope=scope, id=owner_id, **fields)


def _kind(field: str) -> tuple[str, str]:
    """'daily_usd' -> ('daily', 'usd')."""
    period, metric = field.split("_")
    return period, metric


@router.get(OWNER, response_model=QuotasOut, summary="An owner's quotas and their use")
async def get_quotas(
    scope: QuotaScope, owner_id: uuid.UUID, caller: AdminCaller, session: DbSession
) -> QuotasOut:
    return await _view(session, caller.tenant_id, scope, owner_id)


@router.put(OWNER, response_model=QuotasOut, summary="Set or remove an owner's quotas")
async def put_quotas(
    scope: QuotaScope,
    owner_id: uuid.UUID,
    body: QuotasIn,
    caller: ManagerCaller,
    session: DbSession,
    work: Work,
    request: Request,
) -> QuotasOut:
    changes = body.model_dump(exclude_unset=True)
    limits = {_kind(name): value for name, value in changes.items()}
    await set_quotas(session, caller.tenant_id, scope, owner_id, limits)
    shown = {
        name: to_usd_string(value) if name.endswith("usd") and value is not None else value
        for name, value in changes.items()
    }
    await record_action(session, caller, "budget.quotas.set", scope=scope, id=owner_id, **shown)
    limits_changed(request, work, caller.tenant_id)
    return await _view(session, caller.tenant_id, scope, owner_id)


@router.post(
    f"{OWNER}/reset-daily", response_model=QuotasOut, summary="Zero today's use of daily quotas"
)
async def reset_daily_quotas(
    scope: QuotaScope, owner_id: uuid.UUID, caller: ManagerCaller, session: DbSession
) -> QuotasOut:
    cleared = await reset_daily(session, caller.tenant_id, scope, owner_id, datetime.now(UTC))
    shown = {
        f"cleared_{metric}": to_usd_string(used) if metric == "usd" else used
        for metric, used in cleared.items()
    }
    await record_action(
        session, caller, "budget.quotas.daily_reset", scope=scope, id=owner_id, **shown
    )
    return await _view(session, caller.tenant_id, scope, owner_id)

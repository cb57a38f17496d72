"""The tenant's PII policy: a mode per entity type (`redact`, `restore`, `block`, `flag`),
the default mode, the minimum score and whether redactions keep a context-aware hint.

Takes effect in this process's gateway once committed, in other replicas within their
cache's lifetime.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from agentshield.api.deps import AdminCaller, ConfigCache, DbSession, Work
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body
from agentshield.api.trail import record_action
from agentshield.store.pii_policy import policy_document, set_pii_policy
from agentshield.store.tenant_settings import read_settings

router = APIRouter(prefix="/pii/policy", tags=["pii"], route_class=ApiRoute)

ModeName = Literal["redact", "restore", "block", "flag"]


class PolicyOut(BaseModel):
    default_mode: ModeName
    modes: dict[str, ModeName]
    min_score: float
    context_aware: bool


class PolicyIn(Body):
    default_mode: ModeName = "redact"
    modes: dict[str, ModeName] = Field(default_factory=dict, description="entity type -> mode")
    min_score: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    context_aware: bool = True


@router.get("", response_model=PolicyOut, summary="The tenant's PII policy")
async def read_policy(caller: AdminCaller, session: DbSession) -> object:
    return policy_document(await read_settings(session, caller.tenant_id))


@router.put("", response_model=PolicyOut, summary="Replace the tenant's PII policy")
async def write_policy(
    body: PolicyIn, caller: AdminCaller, session: DbSession, work: Work, config: ConfigCache
) -> object:
    doc = await set_pii_policy(session, caller.tenant_id, body.model_dump())
    await record_action(session, caller, "pii.policy.updated", **doc)
    work.after_commit(lambda: config.invalidate(caller.tenant_id))
    return doc

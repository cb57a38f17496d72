"""The tenant's prompt-injection policy: what the `injection` guard does with a suspicious
user message (`on_detect`) and a suspicious tool result (`on_detect_indirect`).

Takes effect in this process's gateway once committed, in other replicas within their
cache's lifetime.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from agentshield.api.deps import AdminCaller, ConfigCache, DbSession, Work
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body
from agentshield.api.trail import record_action
from agentshield.store.injection_policy import policy_document, set_injection_policy
from agentshield.store.tenant_settings import read_settings

router = APIRouter(prefix="/injection/policy", tags=["injection"], route_class=ApiRoute)

Mode = Literal["block", "sanitize", "flag"]


class PolicyOut(BaseModel):
    on_detect: Mode
    on_detect_indirect: Mode


class PolicyIn(Body):
    on_detect: Mode = "flag"
    on_detect_indirect: Mode | None = None  # None: the same as on_detect


@router.get("", response_model=PolicyOut, summary="The tenant's prompt-injection policy")
async def read_policy(caller: AdminCaller, session: DbSession) -> object:
    return policy_document(await read_settings(session, caller.tenant_id))


@router.put("", response_model=PolicyOut, summary="Replace the tenant's prompt-injection policy")
async def write_policy(
    body: PolicyIn, caller: AdminCaller, session: DbSession, work: Work, config: ConfigCache
) -> object:
    doc = await set_injection_policy(session, caller.tenant_id, body.model_dump(exclude_none=True))
    await record_action(session, caller, "injection.policy.updated", **doc)
    work.after_commit(lambda: config.invalidate(caller.tenant_id))
    return doc

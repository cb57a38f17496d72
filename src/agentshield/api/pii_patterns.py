"""Custom PII patterns of the tenant, its departments and its users, and trying them out.

A pattern is checked before it is saved (compiles under RE2, matches its examples and none
of its counter-examples, never the empty string); a 422 lists every problem. A change
takes effect in this process's gateway once committed (the tenant's cached rules are
dropped), in other replicas within their cache's lifetime.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import Field, StringConstraints

from agentshield.api.deps import AdminCaller, ConfigCache, DbSession, Work
from agentshield.api.pii_generate import generate
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body, Out, Patch
from agentshield.api.trail import record_action
from agentshield.engines.identity import Caller
from agentshield.engines.pii import try_pattern
from agentshield.store.models import PiiPattern
from agentshield.store.pii_patterns import create_pattern, delete_pattern, update_pattern
from agentshield.store.scoped import list_owned
from agentshield.store.tenant_config import TenantConfig

router = APIRouter(prefix="/pii/patterns", tags=["pii"], route_class=ApiRoute)

PatternName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Regex = Annotated[str, Field(min_length=1, max_length=1000, description="RE2 syntax")]
Examples = Annotated[list[str], Field(max_length=100)]
Score = Annotated[float, Field(gt=0.0, le=1.0)]


class PatternIn(Body):
    name: PatternName
    pattern: Regex
    entity_type: str = "CUSTOM"
    score: Score = 0.85
    examples: Examples = []
    counter_examples: Examples = []
    enabled: bool = True
    description: Annotated[str, Field(max_length=500)] = ""
    scope: Literal["tenant", "department", "user"] = "tenant"
    scope_id: uuid.UUID | None = Field(
        default=None, description="The department or user; omitted for tenant patterns"
    )


class PatternPatch(Patch):
    name: PatternName | None = None
    pattern: Regex | None = None
    entity_type: str | None = None
    score: Score | None = None
    examples: Examples | None = None
    counter_examples: Examples | None = None
    enabled: bool | None = None
    description: Annotated[str | None, Field(max_length=500)] = None


class PatternOut(Out):
    id: uuid.UUID
    scope: str
    scope_id: uuid.UUID
    name: str
    pattern: str
    entity_type: str
    score: float
    examples: list[str]
    counter_examples: list[str]
    enabled: bool
    description: str
    created_at: datetime
    updated_at: datetime


class TryIn(Body):
    pattern: Regex
    examples: Examples = []
    counter_examples: Examples = []


def _refresh(work: Work, config: TenantConfig, caller: Caller) -> None:
    work.after_commit(lambda: config.invalidate(caller.tenant_id))


@router.get("", response_model=list[PatternOut], summary="List custom patterns")
async def list_patterns(caller: AdminCaller, session: DbSession) -> object:
    return await list_owned(session, PiiPattern, caller.tenant_id)


@router.post("", response_model=PatternOut, status_code=201, summary="Add a custom pattern")
async def add_pattern(
    body: PatternIn, caller: AdminCaller, session: DbSession, work: Work, config: ConfigCache
) -> object:
    row = await create_pattern(session, caller.tenant_id, **body.model_dump())
    await record_action(
        session, caller, "pii.pattern.created", id=row.id, name=row.name, scope=row.scope
    )
    _refresh(work, config, caller)
    return row


@router.put("/{pattern_id}", response_model=PatternOut, summary="Change a custom pattern")
async def change_pattern(
    pattern_id: uuid.UUID,
    body: PatternPatch,
    caller: AdminCaller,
    session: DbSession,
    work: Work,
    config: ConfigCache,
) -> object:
    changes = body.changes()
    row = await update_pattern(session, caller.tenant_id, pattern_id, changes)
    await record_action(session, caller, "pii.pattern.updated", id=row.id, fields=sorted(changes))
    _refresh(work, config, caller)
    return row


@router.delete("/{pattern_id}", status_code=204, summary="Delete a custom pattern")
async def remove_pattern(
    pattern_id: uuid.UUID, caller: AdminCaller, session: DbSession, work: Work, config: ConfigCache
) -> Response:
    await delete_pattern(session, caller.tenant_id, pattern_id)
    await record_action(session, caller, "pii.pattern.deleted", id=pattern_id)
    _refresh(work, config, caller)
    return Response(status_code=204)


@router.post("/test", summary="Try a pattern against examples and counter-examples")
async def try_examples(body: TryIn, caller: AdminCaller) -> dict[str, Any]:
    tried = try_pattern(body.pattern, body.examples, body.counter_examples)
    return {
        "ok": tried.ok,
        "problems": list(tried.problems),
        "matches": [
            {"text": text, "spans": [list(span) for span in tried.matches.get(text, [])]}
            for text in (*body.examples, *body.counter_examples)
        ],
    }


router.post("/generate", summary="A pattern from examples or from a description")(generate)

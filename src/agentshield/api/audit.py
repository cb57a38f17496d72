"""The tenant's audit log: read it a page at a time, and check its hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from agentshield.api.deps import AdminCaller, DbSession
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Out
from agentshield.store import audit

router = APIRouter(prefix="/audit", tags=["audit"], route_class=ApiRoute)


class EntryOut(Out):
    seq: int
    created_at: datetime
    actor: str
    event_type: str
    trace_id: str | None
    data: dict[str, Any]
    hash: str


class AuditPage(BaseModel):
    entries: list[EntryOut]
    next_after_seq: int | None  # pass as `after_seq` for the next page; null at the end


class ProblemOut(Out):
    seq: int
    kind: str
    message: str


class VerifyOut(Out):
    ok: bool
    checked: int
    problems: list[ProblemOut]


@router.get("", response_model=AuditPage, summary="Audit entries, oldest first")
async def list_audit(
    caller: AdminCaller,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after_seq: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    rows = await audit.list_entries(session, caller.tenant_id, limit=limit, after_seq=after_seq)
    entries = [EntryOut.model_validate(row) for row in rows]
    return AuditPage(entries=entries, next_after_seq=rows[-1].seq if len(rows) == limit else None)


@router.get("/verify", response_model=VerifyOut, summary="Check the audit hash chain")
async def verify_audit(caller: AdminCaller, session: DbSession) -> object:
    return await audit.verify(session, caller.tenant_id)

"""CRUD routes for a tenant's plain named rows (departments, projects).

Annotations stay evaluated (no `from __future__ import annotations`): the body types are
this factory's arguments, which FastAPI could not resolve from a string.
"""

import uuid

from fastapi import APIRouter, Response
from pydantic import BaseModel

from agentshield.api.deps import AdminCaller, DbSession
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Patch
from agentshield.api.trail import record_action
from agentshield.store.models import Department, Project
from agentshield.store.scoped import get_owned, list_owned, remove, save
from agentshield.store.tenancy import create_named


def named_router(
    model: type[Department] | type[Project],
    *,
    noun: str,
    create_body: type[BaseModel],
    patch_body: type[Patch],
    out: type[BaseModel],
) -> APIRouter:
    """GET/POST /{noun}s and GET/PATCH/DELETE /{noun}s/{id}, all audited as `{noun}.*`."""
    router = APIRouter(prefix=f"/{noun}s", tags=[f"{noun}s"], route_class=ApiRoute)
    item = "/{row_id}"

    @router.get("", response_model=list[out], summary=f"List {noun}s")  # type: ignore[valid-type]
    async def list_rows(caller: AdminCaller, session: DbSession) -> object:
        return await list_owned(session, model, caller.tenant_id)

    @router.post("", response_model=out, status_code=201, summary=f"Create a {noun}")
    async def create_row(
        body: create_body,  # type: ignore[valid-type]
        caller: AdminCaller,
        session: DbSession,
    ) -> object:
        fields = BaseModel.model_dump(body)
        row = await create_named(session, model, caller.tenant_id, **fields)
        await record_action(session, caller, f"{noun}.created", id=row.id, name=row.name)
        return row

    @router.get(item, response_model=out, summary=f"Get a {noun}")
    async def get_row(row_id: uuid.UUID, caller: AdminCaller, session: DbSession) -> object:
        return await get_owned(session, model, caller.tenant_id, row_id)

    @router.patch(item, response_model=out, summary=f"Change a {noun}")
    async def patch_row(
        row_id: uuid.UUID,
        body: patch_body,  # type: ignore[valid-type]
        caller: AdminCaller,
        session: DbSession,
    ) -> object:
        row = await get_owned(session, model, caller.tenant_id, row_id)
        changes = Patch.changes(body)
        for field, value in changes.items():
            setattr(row, field, value)
        await save(session, row, f"{noun} {row.name!r}")
        await record_action(session, caller, f"{noun}.updated", id=row.id, fields=sorted(changes))
        return row

    @router.delete(item, status_code=204, summary=f"Delete a {noun}")
    async def delete_row(row_id: uuid.UUID, caller: AdminCaller, session: DbSession) -> Response:
        row = await get_owned(session, model, caller.tenant_id, row_id)
        await remove(session, row, f"{noun} {row.name!r}")
        await record_action(session, caller, f"{noun}.deleted", id=row_id, name=row.name)
        return Response(status_code=204)

    return router

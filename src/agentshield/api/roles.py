"""Roles: the built-in five (owner, admin, approver, member, viewer) and custom ones."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import Field

from agentshield.api.deps import DbSession, ManagerCaller
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body, Out
from agentshield.api.trail import record_action
from agentshield.store import tenancy
from agentshield.store.models import Role
from agentshield.store.scoped import list_owned

router = APIRouter(prefix="/roles", tags=["roles"], route_class=ApiRoute)


class RoleIn(Body):
    name: Annotated[str, Field(description="Lowercase letters, digits, '-' or '_'")]
    description: Annotated[str, Field(max_length=500)] | None = None


class RoleOut(Out):
    id: uuid.UUID
    name: str
    builtin: bool
    description: str | None
    created_at: datetime


@router.get("", response_model=list[RoleOut], summary="List roles")
async def list_roles(caller: ManagerCaller, session: DbSession) -> object:
    return await list_owned(session, Role, caller.tenant_id)


@router.post("", response_model=RoleOut, status_code=201, summary="Create a custom role")
async def create_role(body: RoleIn, caller: ManagerCaller, session: DbSession) -> object:
    role = await tenancy.create_role(session, caller.tenant_id, body.name, body.description)
    await record_action(session, caller, "role.created", id=role.id, name=role.name)
    return role


@router.delete("/{role_id}", status_code=204, summary="Delete a custom role nobody holds")
async def delete_role(role_id: uuid.UUID, caller: ManagerCaller, session: DbSession) -> Response:
    await tenancy.delete_role(session, caller.tenant_id, role_id)
    await record_action(session, caller, "role.deleted", id=role_id)
    return Response(status_code=204)

"""Users of a tenant. Owners and admins manage them (see `deps` for who may touch an owner).

A change of role or status reaches the key cache once committed, so a disabled user's keys
stop working at once in this process.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import AfterValidator, Field
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.api.deps import DbSession, KeyCache, ManagerCaller, Work, require_owner_for
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body, Out, Patch, not_null
from agentshield.api.trail import record_action
from agentshield.engines.identity import Caller
from agentshield.store import tenancy
from agentshield.store.errors import Conflict
from agentshield.store.models import User
from agentshield.store.scoped import get_owned, list_owned

router = APIRouter(prefix="/users", tags=["users"], route_class=ApiRoute)

Email = Annotated[str, Field(min_length=3, max_length=320)]
RoleName = Annotated[str, Field(min_length=1, max_length=64)]
PersonName = Annotated[str, Field(max_length=200)]


class UserIn(Body):
    email: Email
    role: RoleName = "member"
    name: PersonName | None = None
    department_id: uuid.UUID | None = None


class UserPatch(Patch):
    role: Annotated[RoleName | None, AfterValidator(not_null)] = None
    disabled: Annotated[bool | None, AfterValidator(not_null)] = None
    name: PersonName | None = None
    department_id: uuid.UUID | None = None


class UserOut(Out):
    id: uuid.UUID
    email: str
    name: str | None
    role: str
    department_id: uuid.UUID | None
    disabled: bool
    created_at: datetime


@router.get("", response_model=list[UserOut], summary="List users")
async def list_users(caller: ManagerCaller, session: DbSession) -> object:
    return await list_owned(session, User, caller.tenant_id)


@router.post("", response_model=UserOut, status_code=201, summary="Create a user")
async def create_user(body: UserIn, caller: ManagerCaller, session: DbSession) -> object:
    require_owner_for(caller, body.role)
    user = await tenancy.create_user(session, caller.tenant_id, **body.model_dump())
    await record_action(session, caller, "user.created", id=user.id, role=user.role)
    return user


@router.get("/{user_id}", response_model=UserOut, summary="Get a user")
async def get_user(user_id: uuid.UUID, caller: ManagerCaller, session: DbSession) -> object:
    return await get_owned(session, User, caller.tenant_id, user_id)


@router.patch("/{user_id}", response_model=UserOut, summary="Change a user")
async def patch_user(
    user_id: uuid.UUID,
    body: UserPatch,
    caller: ManagerCaller,
    session: DbSession,
    work: Work,
    keys: KeyCache,
) -> object:
    await _user_to_manage(session, caller, user_id)
    changes = body.changes()
    require_owner_for(caller, changes.get("role", ""))
    if changes.get("disabled") and user_id == caller.user_id:
        raise Conflict("you cannot disable your own user")
    user = await tenancy.update_user(session, caller.tenant_id, user_id, changes)
    access = {name: changes[name] for name in ("role", "disabled") if name in changes}
    await record_action(
        session, caller, "user.updated", id=user_id, fields=sorted(changes), **access
    )
    if access:
        work.after_commit(lambda: keys.invalidate(user_id=user_id))
    return user


@router.delete("/{user_id}", status_code=204, summary="Delete a user and their keys")
async def delete_user(
    user_id: uuid.UUID, caller: ManagerCaller, session: DbSession, work: Work, keys: KeyCache
) -> Response:
    await _user_to_manage(session, caller, user_id)
    if user_id == caller.user_id:
        raise Conflict("you cannot delete your own user")
    await tenancy.delete_user(session, caller.tenant_id, user_id)
    await record_action(session, caller, "user.deleted", id=user_id)
    work.after_commit(lambda: keys.invalidate(user_id=user_id))
    return Response(status_code=204)


async def _user_to_manage(session: AsyncSession, caller: Caller, user_id: uuid.UUID) -> User:
    user = await get_owned(session, User, caller.tenant_id, user_id)
    require_owner_for(caller, user.role)
    return user

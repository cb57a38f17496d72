"""API keys. The secret is in the response to POST only; lists show the display prefix.

Revoking (POST /keys/{id}/revoke, or DELETE /keys/{id}) drops the key from this process's
cache once committed, so the gateway refuses it from the next request on.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import AwareDatetime, Field
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.api.deps import DbSession, KeyCache, ManagerCaller, Work, require_owner_for
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body, Name, Out
from agentshield.api.trail import record_action
from agentshield.engines.identity import Caller
from agentshield.store.keys import create_key, revoke_key
from agentshield.store.models import ApiKey, User
from agentshield.store.scoped import get_owned, list_owned

router = APIRouter(prefix="/keys", tags=["keys"], route_class=ApiRoute)

Scope = Literal["gateway", "telemetry", "admin"]


class KeyIn(Body):
    name: Name
    scopes: Annotated[list[Scope], Field(min_length=1)]
    user_id: uuid.UUID | None = Field(default=None, description="Defaults to the caller's user")
    project_id: uuid.UUID | None = None
    expires_at: AwareDatetime | None = None
    env: Literal["live", "test"] = "live"


class KeyOut(Out):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    user_id: uuid.UUID
    project_id: uuid.UUID | None
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class IssuedKeyOut(KeyOut):
    secret: str = Field(description="The key itself. Shown in this response only.")


@router.get("", response_model=list[KeyOut], summary="List keys (never their secrets)")
async def list_keys(caller: ManagerCaller, session: DbSession) -> object:
    return await list_owned(session, ApiKey, caller.tenant_id)


@router.post("", response_model=IssuedKeyOut, status_code=201, summary="Issue a key")
async def issue_key(body: KeyIn, caller: ManagerCaller, session: DbSession) -> IssuedKeyOut:
    user_id = body.user_id or caller.user_id
    await _check_owner_of(session, caller, user_id)
    fields = body.model_dump() | {"user_id": user_id}
    issued = await create_key(session, tenant_id=caller.tenant_id, **fields)
    row = issued.row
    await record_action(
        session,
        caller,
        "key.created",
        key_id=row.id,
        prefix=row.prefix,
        scopes=row.scopes,
        user_id=user_id,
    )
    return IssuedKeyOut(**KeyOut.model_validate(row).model_dump(), secret=issued.secret)


@router.get("/{key_id}", response_model=KeyOut, summary="Get a key")
async def get_key(key_id: uuid.UUID, caller: ManagerCaller, session: DbSession) -> object:
    return await get_owned(session, ApiKey, caller.tenant_id, key_id)


async def _revoke(
    key_id: uuid.UUID, caller: ManagerCaller, session: DbSession, work: Work, keys: KeyCache
) -> ApiKey:
    row = await get_owned(session, ApiKey, caller.tenant_id, key_id)
    await _check_owner_of(session, caller, row.user_id)
    if row.revoked_at is None:
        await revoke_key(session, caller.tenant_id, key_id)
        await record_action(session, caller, "key.revoked", key_id=key_id, prefix=row.prefix)
    work.after_commit(lambda: keys.invalidate(key_id=key_id))
    return row


router.post("/{key_id}/revoke", response_model=KeyOut, summary="Revoke a key")(_revoke)
router.delete("/{key_id}", response_model=KeyOut, summary="Revoke a key (alias)")(_revoke)


async def _check_owner_of(session: AsyncSession, caller: Caller, user_id: uuid.UUID) -> None:
    user = await get_owned(session, User, caller.tenant_id, user_id)
    require_owner_for(caller, user.role)

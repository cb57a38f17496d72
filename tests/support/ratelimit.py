"""Tenants with their own rate limits, second users, and plain chat calls, for limit tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from agentshield.store import tenancy
from agentshield.store.db import Database
from agentshield.store.keys import create_key
from agentshield.store.tenant_settings import write_section
from support.gateway import RunningGateway
from support.tenants import Tenant, new_tenant

MESSAGES = [{"role": "user", "content": "hi"}]


def limited_tenant(gw: RunningGateway, rate_limits: dict[str, Any] | None = None) -> Tenant:
    tenant = new_tenant(gw)
    if rate_limits is not None:

        async def write(db: Database) -> None:
            async with db.transaction() as session:
                await write_section(session, tenant.id, "rate_limits", rate_limits)

        gw.call(write)
    return tenant


def other_users_key(gw: RunningGateway, tenant: Tenant) -> str:
    async def issue(db: Database) -> str:
        async with db.transaction() as session:
            user = await tenancy.create_user(
                session, tenant.id, email=f"{uuid.uuid4().hex[:8]}@gw.test"
            )
            issued = await create_key(
                session, tenant_id=tenant.id, user_id=user.id, name="other", scopes=["gateway"]
            )
        return issued.secret

    return gw.call(issue)


def chat(gw: RunningGateway, key: str, **body: Any) -> httpx.Response:
    body = {"model": "gpt-4o-mini", "messages": MESSAGES} | body
    return httpx.post(
        f"{gw.url}/v1/chat/completions",
        json=body,
        headers={"authorization": f"Bearer {key}"},
        timeout=30,
    )

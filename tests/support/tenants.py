"""Tenants with keys, created through a running gateway's own database, and clients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import openai

from agentshield.store import tenancy
from agentshield.store.db import Database
from agentshield.store.keys import create_key
from support.gateway import RunningGateway


@dataclass(frozen=True)
class Tenant:
    id: uuid.UUID
    owner_id: uuid.UUID
    gateway_key: str  # scopes gateway + telemetry
    admin_key: str  # scope admin only

    def key(self, gw: RunningGateway, **options: Any) -> str:
        """A new key of the tenant's owner; `options` go to create_key (scopes, expires_at)."""
        options.setdefault("scopes", ["gateway"])

        async def issue(db: Database) -> str:
            async with db.transaction() as session:
                issued = await create_key(
                    session, tenant_id=self.id, user_id=self.owner_id, name="test", **options
                )
            return issued.secret

        return gw.call(issue)


def new_tenant(gw: RunningGateway) -> Tenant:
    async def sign_up(db: Database) -> Tenant:
        async with db.transaction() as session:
            made = await tenancy.signup(
                session, tenant_name=f"Test {uuid.uuid4().hex[:8]}", owner_email="o@gw.test"
            )
        return Tenant(made.tenant.id, made.owner.id, made.gateway_key.secret, made.admin_key.secret)

    return gw.call(sign_up)


def make_client(gw: RunningGateway, key: str) -> openai.OpenAI:
    # No retries: a test sees each answer as the gateway gave it.
    return openai.OpenAI(base_url=f"{gw.url}/v1", api_key=key, max_retries=0, timeout=30)

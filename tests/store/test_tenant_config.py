"""TenantConfig: the tenant's PII policy and the caller's compiled rules, cached in process,
fresh at once after `invalidate` and within `ttl` otherwise."""

from __future__ import annotations

import asyncio
import uuid

from agentshield.engines.pii import Policy
from agentshield.store import pii_patterns as patterns
from agentshield.store import tenancy
from agentshield.store.db import Database
from agentshield.store.pii_policy import set_pii_policy
from agentshield.store.tenant_config import TenantConfig


async def new_tenant(db: Database) -> tenancy.Signup:
    async with db.transaction() as s:
        return await tenancy.signup(
            s, tenant_name=f"Cfg {uuid.uuid4().hex[:8]}", owner_email="o@c.test"
        )


async def test_a_tenant_without_a_policy_redacts_everything(db: Database) -> None:
    t = await new_tenant(db)
    config = TenantConfig(db)
    assert await config.pii_policy(t.tenant.id) == Policy()
    assert await config.pii_rules(t.tenant.id, None, t.owner.id) is None


async def test_changes_show_after_invalidate_or_the_ttl(db: Database) -> None:
    t = await new_tenant(db)
    tenant_id = t.tenant.id
    config, other_replica = TenantConfig(db), TenantConfig(db, ttl=0.2)
    for cache in (config, other_replica):
        assert (await cache.pii_policy(tenant_id)).default_mode == "redact"
    async with db.transaction() as s:
        await set_pii_policy(s, tenant_id, {"default_mode": "flag", "modes": {"EMAIL": "block"}})
        await patterns.create_pattern(
            s, tenant_id, name="emp", pattern=r"EMP-\d{6}", examples=["EMP-123456"]
        )

    assert (await config.pii_policy(tenant_id)).default_mode == "redact"  # still cached
    config.invalidate(tenant_id)
    policy = await config.pii_policy(tenant_id)
    assert (policy.default_mode, policy.mode_for("EMAIL")) == ("flag", "block")
    rules = await config.pii_rules(tenant_id, None, t.owner.id)
    assert rules is not None and [r.name for r in rules.rules] == ["emp"]

    await asyncio.sleep(0.25)
    assert (await other_replica.pii_policy(tenant_id)).default_mode == "flag"

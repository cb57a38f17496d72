"""Per-tenant configuration for the request path, cached in the process like KeyResolver.

A hit costs no database round trip. A change made through this process calls `invalidate`
after its commit and takes effect at once; a change made by another replica takes effect
here within `ttl` seconds. Custom rules are compiled once per (tenant, department, user).
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from typing import Any

from agentshield.engines.pii import Policy, RuleSet
from agentshield.store.db import Database
from agentshield.store.pii_patterns import rules_for
from agentshield.store.pii_policy import policy_from
from agentshield.store.tenant_settings import read_settings
from agentshield.store.ttl_cache import TtlCache


class TenantConfig:
    def __init__(self, db: Database, ttl: float = 10.0, max_entries: int = 10_000) -> None:
        self._db = db
        # (kind, tenant id, rest of the key) -> value
        self._cache: TtlCache[tuple[str, uuid.UUID, Hashable], Any] = TtlCache(ttl, max_entries)

    async def settings(self, tenant_id: uuid.UUID) -> dict[str, Any]:
        """The settings row's data, shared by every caller: read it, never change it."""

        async def load() -> dict[str, Any]:
            async with self._db.read() as session:
                return await read_settings(session, tenant_id)

        settings: dict[str, Any] = await self._cache.get(("settings", tenant_id, None), load)
        return settings

    async def pii_policy(self, tenant_id: uuid.UUID) -> Policy:
        async def load() -> Policy:
            return policy_from(await self.settings(tenant_id))

        policy: Policy = await self._cache.get(("policy", tenant_id, None), load)
        return policy

    async def pii_rules(
        self, tenant_id: uuid.UUID, department_id: uuid.UUID | None, user_id: uuid.UUID | None
    ) -> RuleSet | None:
        """The caller's merged custom rules, compiled; None when there are none."""

        async def load() -> RuleSet | None:
            async with self._db.read() as session:
                rules = await rules_for(session, tenant_id, department_id, user_id)
            return RuleSet(rules) if rules else None

        key = ("rules", tenant_id, (department_id, user_id))
        ruleset: RuleSet | None = await self._cache.get(key, load)
        return ruleset

    def invalidate(self, tenant_id: uuid.UUID) -> None:
        self._cache.forget(lambda key, _: key[1] == tenant_id)

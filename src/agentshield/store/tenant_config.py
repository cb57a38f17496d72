"""Per-tenant configuration for the request path, cached in the process like KeyResolver.

A hit costs no database round trip. A change made through this process calls `invalidate`
after its commit and takes effect at once; a change made by another replica takes effect
here within `ttl` seconds. Custom rules are compiled once per (tenant, department, user).
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from agentshield.engines.pii import Policy, RuleSet
from agentshield.store.db import Database
from agentshield.store.pii_patterns import rules_for
from agentshield.store.pii_policy import policy_from
from agentshield.store.tenant_settings import read_settings

T = TypeVar("T")


class TenantConfig:
    def __init__(self, db: Database, ttl: float = 10.0, max_entries: int = 10_000) -> None:
        self._db = db
        self._ttl = ttl
        self._max = max_entries
        # (kind, tenant id, rest of the key) -> (value, expiry)
        self._cache: OrderedDict[tuple[str, uuid.UUID, Hashable], tuple[Any, float]] = OrderedDict()
        # Bumped by invalidate: a load that started before it must not store its stale value.
        self._generation: dict[uuid.UUID, int] = {}

    async def settings(self, tenant_id: uuid.UUID) -> dict[str, Any]:
        """The settings row's data, shared by every caller: read it, never change it."""

        async def load() -> dict[str, Any]:
            async with self._db.read() as session:
                return await read_settings(session, tenant_id)

        return await self._cached(("settings", tenant_id, None), load)

    async def pii_policy(self, tenant_id: uuid.UUID) -> Policy:
        async def load() -> Policy:
            return policy_from(await self.settings(tenant_id))

        return await self._cached(("policy", tenant_id, None), load)

    async def pii_rules(
        self, tenant_id: uuid.UUID, department_id: uuid.UUID | None, user_id: uuid.UUID | None
    ) -> RuleSet | None:
        """The caller's merged custom rules, compiled; None when there are none."""

        async def load() -> RuleSet | None:
            async with self._db.read() as session:
                rules = await rules_for(session, tenant_id, department_id, user_id)
            return RuleSet(rules) if rules else None

        return await self._cached(("rules", tenant_id, (department_id, user_id)), load)

    def invalidate(self, tenant_id: uuid.UUID) -> None:
        self._generation[tenant_id] = self._generation.get(tenant_id, 0) + 1
        for key in [key for key in self._cache if key[1] == tenant_id]:
            del self._cache[key]

    async def _cached(
        self, key: tuple[str, uuid.UUID, Hashable], load: Callable[[], Awaitable[T]]
    ) -> T:
        now = time.monotonic()
        entry = self._cache.get(key)
        if entry is not None and entry[1] > now:
            return entry[0]  # type: ignore[no-any-return]
        generation = self._generation.get(key[1], 0)
        value = await load()
        if self._generation.get(key[1], 0) == generation:
            self._cache[key] = (value, now + self._ttl)
            self._cache.move_to_end(key)
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return value

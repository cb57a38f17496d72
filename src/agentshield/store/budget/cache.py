"""Each tenant's limit definitions, cached, so that a call needs no read before it
reserves, and a caller with no limit at all costs no transaction.

What the cache can get wrong is bounded: amounts (limits, usage, balances) are always
read by the reserving transaction, and a quota or wallet removed since it was loaded makes
the reservation fail with `LimitsChanged`, upon which the caller reloads and tries again.
A limit set on another replica (or a tenant's time zone changed) takes effect here within
the TTL; the replica that set it calls `forget`, and a load that began before a `forget`
is not stored.
"""

from __future__ import annotations

import time
import uuid

from agentshield.engines.identity import Caller
from agentshield.store.budget.limits import Limits, TenantLimits, tenant_limits
from agentshield.store.db import Database


class LimitCache:
    def __init__(self, db: Database, ttl: float) -> None:
        self._db = db
        self._ttl = ttl
        self._cache: dict[uuid.UUID, tuple[TenantLimits, float]] = {}
        self._generation: dict[uuid.UUID, int] = {}

    async def limits(self, caller: Caller) -> Limits:
        return (await self._of(caller.tenant_id)).of(caller)

    def forget(self, tenant_id: uuid.UUID) -> None:
        self._generation[tenant_id] = self._generation.get(tenant_id, 0) + 1
        self._cache.pop(tenant_id, None)

    async def _of(self, tenant_id: uuid.UUID) -> TenantLimits:
        now = time.monotonic()
        cached = self._cache.get(tenant_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        generation = self._generation.get(tenant_id, 0)
        async with self._db.read() as session:
            found = await tenant_limits(session, tenant_id)
        if self._ttl > 0 and self._generation.get(tenant_id, 0) == generation:
            self._cache[tenant_id] = (found, now + self._ttl)
        return found

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

import uuid

from agentshield.engines.identity import Caller
from agentshield.store.budget.limits import Limits, TenantLimits, tenant_limits
from agentshield.store.db import Database
from agentshield.store.ttl_cache import TtlCache


class LimitCache:
    def __init__(self, db: Database, ttl: float) -> None:
        self._db = db
        self._cache: TtlCache[uuid.UUID, TenantLimits] = TtlCache(ttl)

    async def limits(self, caller: Caller) -> Limits:
        tenant_id = caller.tenant_id

        async def load() -> TenantLimits:
            async with self._db.read() as session:
                return await tenant_limits(session, tenant_id)

        return (await self._cache.get(tenant_id, load)).of(caller)

    def forget(self, tenant_id: uuid.UUID) -> None:
        self._cache.forget(lambda key, _: key == tenant_id)

"""Which owners of a tenant have a quota or a wallet, cached, so that a call whose caller
has no limit at all costs no transaction (nothing to reserve, nothing to settle).

Only the *absence* of limits is trusted from the cache: a caller who has one always goes
to the database, which checks the limit itself. So a stale entry can only make a limit
set moments ago start late on another replica (within the TTL); the replica that set it
calls `forget`, and a load that began before a `forget` is not stored.
"""

from __future__ import annotations

import time
import uuid

from sqlalchemy import select, union_all

from agentshield.engines.identity import Caller
from agentshield.store.db import Database
from agentshield.store.models import Quota, Wallet

Owner = tuple[str, uuid.UUID]


def caller_owners(caller: Caller) -> list[Owner]:
    owners: list[Owner] = [
        ("user", caller.user_id),
        ("tenant", caller.tenant_id),
        ("key", caller.key_id),
    ]
    if caller.department_id is not None:
        owners.append(("department", caller.department_id))
    return owners


class LimitOwners:
    def __init__(self, db: Database, ttl: float) -> None:
        self._db = db
        self._ttl = ttl
        self._cache: dict[uuid.UUID, tuple[frozenset[Owner], float]] = {}
        self._generation: dict[uuid.UUID, int] = {}

    async def any_for(self, caller: Caller) -> bool:
        """Whether a quota or wallet may apply to the caller (True when unsure)."""
        owners = await self._of(caller.tenant_id)
        return any(owner in owners for owner in caller_owners(caller))

    def forget(self, tenant_id: uuid.UUID) -> None:
        self._generation[tenant_id] = self._generation.get(tenant_id, 0) + 1
        self._cache.pop(tenant_id, None)

    async def _of(self, tenant_id: uuid.UUID) -> frozenset[Owner]:
        now = time.monotonic()
        cached = self._cache.get(tenant_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        generation = self._generation.get(tenant_id, 0)
        owners = await self._load(tenant_id)
        if self._ttl > 0 and self._generation.get(tenant_id, 0) == generation:
            self._cache[tenant_id] = (owners, now + self._ttl)
        return owners

    async def _load(self, tenant_id: uuid.UUID) -> frozenset[Owner]:
        query = union_all(
            select(Quota.scope, Quota.scope_id).where(Quota.tenant_id == tenant_id),
            select(Wallet.owner_scope, Wallet.owner_id).where(Wallet.tenant_id == tenant_id),
        )
        async with self._db.read() as session:
            rows = (await session.execute(query)).all()
        return frozenset((scope, owner_id) for scope, owner_id in rows)

"""Which limits apply to a caller: their quotas at every level, and the wallet that pays.

A limit here is its definition only (which row, which window, which metric). The amounts
(a quota's limit and usage, a wallet's balance) are read by the statements that reserve,
so a definition that is a few seconds old (see cache.py) can never let a call overspend.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.identity import Caller
from agentshield.store.models import Quota, Tenant, Wallet

# A caller pays from the most specific wallet there is.
WALLET_ORDER = ("user", "department", "tenant")

Owner = tuple[str, uuid.UUID]


@dataclass(frozen=True, slots=True)
class QuotaLimit:
    id: uuid.UUID
    scope: str
    scope_id: uuid.UUID
    period: str
    metric: str


@dataclass(frozen=True, slots=True)
class WalletLimit:
    id: uuid.UUID
    owner_scope: str
    owner_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Limits:
    quotas: tuple[QuotaLimit, ...]  # in locking order: by id
    wallet: WalletLimit | None
    time_zone: str | None

    @property
    def none(self) -> bool:
        return not self.quotas and self.wallet is None


@dataclass(frozen=True, slots=True)
class TenantLimits:
    """Every quota and wallet of one tenant, by owner."""

    quotas: dict[Owner, tuple[QuotaLimit, ...]]
    wallets: dict[Owner, WalletLimit]
    time_zone: str | None = None
    # Each caller's limits, worked out once: this object lives for the cache's TTL. Keyed
    # by the caller object (the key resolver hands out the same one while it caches it),
    # checked by identity: hashing its owners' ids cost more than the rest of a look-up.
    _of: dict[int, tuple[Caller, Limits]] = field(default_factory=dict, compare=False)
    _by_owners: dict[tuple[Owner, ...], Limits] = field(default_factory=dict, compare=False)

    def of(self, caller: Caller) -> Limits:
        known = self._of.get(id(caller))
        if known is not None and known[0] is caller:
            return known[1]
        return self._work_out(caller)

    def _work_out(self, caller: Caller) -> Limits:
        owners = caller_owners(caller)
        key = tuple(owners)
        found = self._by_owners.get(key)
        if found is None:
            quotas = sorted(
                (quota for owner in owners for quota in self.quotas.get(owner, ())),
                key=lambda quota: quota.id.int,
            )
            wallet = next((self.wallets[owner] for owner in owners if owner in self.wallets), None)
            found = Limits(tuple(quotas), wallet, self.time_zone if quotas else None)
            self._by_owners[key] = found
        self._of[id(caller)] = (caller, found)
        return found


def caller_owners(caller: Caller) -> list[Owner]:
    """Who may own a limit of the caller's, most specific first."""
    owners: list[Owner] = [("user", caller.user_id)]
    if caller.department_id is not None:
        owners.append(("department", caller.department_id))
    owners += [("tenant", caller.tenant_id), ("key", caller.key_id)]
    return owners


async def tenant_limits(session: AsyncSession, tenant_id: uuid.UUID) -> TenantLimits:
    quotas = (
        await session.execute(
            select(Quota.id, Quota.scope, Quota.scope_id, Quota.period, Quota.metric).where(
                Quota.tenant_id == tenant_id
            )
        )
    ).all()
    wallets = (
        await session.execute(
            select(Wallet.id, Wallet.owner_scope, Wallet.owner_id).where(
                Wallet.tenant_id == tenant_id
            )
        )
    ).all()
    time_zone = await session.scalar(select(Tenant.time_zone).where(Tenant.id == tenant_id))
    by_owner: dict[Owner, list[QuotaLimit]] = {}
    for row in quotas:
        quota = QuotaLimit(*row)
        by_owner.setdefault((quota.scope, quota.scope_id), []).append(quota)
    return TenantLimits(
        {owner: tuple(found) for owner, found in by_owner.items()},
        {
            (scope, owner): WalletLimit(id, scope, owner)
            for id, scope, owner in wallets
            if scope in WALLET_ORDER
        },
        time_zone,
    )


async def find_limits(session: AsyncSession, caller: Caller) -> Limits:
    return (await tenant_limits(session, caller.tenant_id)).of(caller)

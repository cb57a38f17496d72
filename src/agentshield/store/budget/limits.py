"""Which limits apply to a caller: their quotas at every level, and the wallet that pays."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.identity import Caller
from agentshield.store.models import Quota, Tenant, Wallet

# A caller pays from the most specific wallet there is.
WALLET_ORDER = ("user", "department", "tenant")


@dataclass(frozen=True, slots=True)
class Limits:
    quotas: list[Quota]  # in locking order: by id
    wallet: Wallet | None
    time_zone: str | None

    @property
    def none(self) -> bool:
        return not self.quotas and self.wallet is None


def _owners(caller: Caller, with_key: bool) -> dict[str, object]:
    owners: dict[str, object] = {"user": caller.user_id, "tenant": caller.tenant_id}
    if caller.department_id is not None:
        owners["department"] = caller.department_id
    if with_key:
        owners["key"] = caller.key_id
    return owners


async def find_limits(session: AsyncSession, caller: Caller) -> Limits:
    quota_owners = _owners(caller, with_key=True)
    quotas = (
        await session.scalars(
            select(Quota)
            .where(
                Quota.tenant_id == caller.tenant_id,
                or_(
                    *(and_(Quota.scope == s, Quota.scope_id == i) for s, i in quota_owners.items())
                ),
            )
            .order_by(Quota.id)
        )
    ).all()
    wallet_owners = _owners(caller, with_key=False)
    wallets = (
        await session.scalars(
            select(Wallet).where(
                Wallet.tenant_id == caller.tenant_id,
                or_(
                    *(
                        and_(Wallet.owner_scope == s, Wallet.owner_id == i)
                        for s, i in wallet_owners.items()
                    )
                ),
            )
        )
    ).all()
    by_scope = {wallet.owner_scope: wallet for wallet in wallets}
    wallet = next((by_scope[s] for s in WALLET_ORDER if s in by_scope), None)
    time_zone = None
    if quotas:
        time_zone = await session.scalar(
            select(Tenant.time_zone).where(Tenant.id == caller.tenant_id)
        )
    return Limits(list(quotas), wallet, time_zone)

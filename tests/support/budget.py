"""A tenant with a caller, wallets and quotas, straight in the database, for budget tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from agentshield.engines.identity import Caller
from agentshield.store import budget, tenancy
from agentshield.store.db import Database
from agentshield.store.models import LedgerEntry, Wallet
from support.clock import Clock
from support.gateway import RunningGateway

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
CENT = 10_000_000  # $0.01 in nano-dollars
DOLLAR = 100 * CENT


@asynccontextmanager
async def budgets_at(db: Database, now: datetime = NOW) -> AsyncIterator[budget.Budgets]:
    """A `Budgets` (as one process has) whose clock says `now`, reading limits every call."""
    service = budget.Budgets(db, limits_ttl=0, clock=Clock(now))
    try:
        yield service
    finally:
        await service.close()


@dataclass(frozen=True)
class Payer:
    caller: Caller

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.caller.tenant_id


async def new_payer(db: Database) -> Payer:
    async with db.transaction() as session:
        made = await tenancy.signup(
            session, tenant_name=f"Budget {uuid.uuid4().hex[:8]}", owner_email="o@budget.test"
        )
    caller = Caller(
        tenant_id=made.tenant.id,
        key_id=made.gateway_key.row.id,
        key_prefix=made.gateway_key.row.prefix,
        user_id=made.owner.id,
        role="owner",
        scopes=frozenset({"gateway"}),
        department_id=made.department.id,
    )
    return Payer(caller)


async def fund(
    db: Database, payer: Payer, nanos: int, scope: str = "tenant", **options: object
) -> uuid.UUID:
    """A wallet of `scope` owned by the caller's tenant, department or user, topped up."""
    owner = {
        "tenant": payer.caller.tenant_id,
        "department": payer.caller.department_id,
        "user": payer.caller.user_id,
    }[scope]
    assert owner is not None
    async with db.transaction() as session:
        wallet = await budget.open_wallet(
            session,
            payer.tenant_id,
            owner_scope=scope,
            owner_id=owner,
            **options,  # type: ignore[arg-type]
        )
        if nanos:
            await budget.top_up(session, payer.tenant_id, wallet.id, nanos, NOW)
    return wallet.id


async def limit(
    db: Database,
    payer: Payer,
    scope: str,
    amount: int,
    *,
    period: str = "daily",
    metric: str = "usd",
) -> None:
    caller = payer.caller
    scope_id = {
        "tenant": caller.tenant_id,
        "department": caller.department_id,
        "user": caller.user_id,
        "key": caller.key_id,
    }[scope]
    assert scope_id is not None
    async with db.transaction() as session:
        await budget.set_quota(
            session,
            payer.tenant_id,
            scope=scope,
            scope_id=scope_id,
            period=period,
            metric=metric,
            limit=amount,
        )


def funded_wallet(gw: RunningGateway, tenant_id: uuid.UUID, nanos: int) -> uuid.UUID:
    """A prepaid tenant wallet holding `nanos`, made through a running gateway's database."""

    async def open_and_fund(db: Database) -> uuid.UUID:
        async with db.transaction() as session:
            wallet = await budget.open_wallet(
                session, tenant_id, owner_scope="tenant", owner_id=tenant_id
            )
            if nanos:
                await budget.top_up(session, tenant_id, wallet.id, nanos, datetime.now(UTC))
        return wallet.id

    return gw.call(open_and_fund)


def wallet_balance(gw: RunningGateway, wallet_id: uuid.UUID) -> tuple[int, int]:
    """(balance, reserved) of a wallet, after checking both equal the sums of its ledger."""

    async def read(db: Database) -> tuple[int, int]:
        async with db.read() as session:
            wallet = await session.get(Wallet, wallet_id)
            assert wallet is not None
            reconciled = await budget.reconcile(session, wallet_id)
            assert reconciled.ok, f"wallet {wallet_id} does not match its ledger: {reconciled}"
            return wallet.balance_nanos, wallet.reserved_nanos

    return gw.call(read)


def entry_of(gw: RunningGateway, trace_id: str) -> LedgerEntry | None:
    """The ledger entry that settled or released a call, if it has ended."""

    async def read(db: Database) -> LedgerEntry | None:
        async with db.read() as session:
            return await session.scalar(select(LedgerEntry).where(LedgerEntry.trace_id == trace_id))

    return gw.call(read)


def held_and_charged(gw: RunningGateway, trace_id: str) -> tuple[int, int]:
    """What a settled call held and what it was charged, from its ledger entry."""
    entry = entry_of(gw, trace_id)
    assert entry is not None and entry.kind == "settle", f"trace {trace_id} was not settled"
    return -entry.hold_nanos, -entry.amount_nanos

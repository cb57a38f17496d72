"""Wallets: open, read, change, top up, convert to prepaid, and their ledger and statements.

Reading needs an admin key; anything that changes a wallet needs an owner or admin user as
well. Every change is in the audit log. Amounts are decimal strings of USD (see
`budget_common`); balances may be negative (`"-1.250000000"`). See docs/budget.md.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, BaseModel, Field

from agentshield.api.budget_common import PositiveUsd, Usd, WalletScope, limits_changed
from agentshield.api.deps import AdminCaller, DbSession, ManagerCaller, Work
from agentshield.api.routing import ApiRoute
from agentshield.api.schemas import Body, Out, Patch, UsdString, not_null
from agentshield.api.trail import record_action
from agentshield.engines.money import to_usd_string
from agentshield.store.budget import accounts, statements, topups, wallets
from agentshield.store.models import Wallet
from agentshield.store.scoped import get_owned, list_owned

router = APIRouter(prefix="/budget/wallets", tags=["budget"], route_class=ApiRoute)
ITEM = "/{wallet_id}"
Limit = Annotated[int, Query(ge=1, le=500)]
Month = Annotated[str | None, Query(pattern=r"^(19|20)\d\d-(0[1-9]|1[0-2])$", examples=["2026-03"])]


class WalletIn(Body):
    owner_scope: WalletScope
    owner_id: uuid.UUID
    kind: str = Field(default="prepaid", pattern="^(prepaid|postpaid)$")
    overdraft_limit: Usd = 0
    low_balance_threshold: Usd | None = None


class WalletPatch(Patch):
    overdraft_limit: Annotated[Usd | None, AfterValidator(not_null)] = None
    low_balance_threshold: Usd | None = None  # null: no threshold


class WalletOut(BaseModel):
    id: uuid.UUID
    owner_scope: str
    owner_id: uuid.UUID
    kind: str
    balance: UsdString
    reserved: UsdString  # held by calls in flight
    available: UsdString | None  # prepaid: what a call may still reserve; postpaid: null
    overdraft_limit: UsdString
    low_balance_threshold: UsdString | None
    low_balance: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, wallet: Wallet) -> WalletOut:
        balance, threshold = wallet.balance_nanos, wallet.low_balance_threshold_nanos
        available = balance - wallet.reserved_nanos + wallet.overdraft_limit_nanos
        return cls(
            id=wallet.id,
            owner_scope=wallet.owner_scope,
            owner_id=wallet.owner_id,
            kind=wallet.kind,
            balance=balance,
            reserved=wallet.reserved_nanos,
            available=available if wallet.kind == "prepaid" else None,
            overdraft_limit=wallet.overdraft_limit_nanos,
            low_balance_threshold=threshold,
            low_balance=threshold is not None and balance < threshold,
            created_at=wallet.created_at,
            updated_at=wallet.updated_at,
        )


class TopUpIn(Body):
    amount: PositiveUsd
    note: Annotated[str | None, Field(max_length=200)] = None


class TopUpOut(Out):
    id: uuid.UUID
    wallet_id: uuid.UUID
    amount: UsdString = Field(validation_alias="amount_nanos")
    source: str  # admin | stripe
    status: str  # pending | credited | expired | failed
    refunded: UsdString = Field(validation_alias="refunded_nanos")  # of it, in Stripe
    note: str | None
    created_by: uuid.UUID | None
    created_at: datetime
    credited_at: datetime | None


class ToppedUpOut(BaseModel):
    top_up: TopUpOut
    wallet: WalletOut


class EntryOut(Out):
    id: uuid.UUID
    kind: str  # reserve | settle | release | expire | top_up | refund | adjust
    amount: UsdString = Field(validation_alias="amount_nanos")  # change of the balance
    hold: UsdString = Field(validation_alias="hold_nanos")  # change of the reserved sum
    balance_after: UsdString = Field(validation_alias="balance_after_nanos")
    reserved_after: UsdString = Field(validation_alias="reserved_after_nanos")
    trace_id: str | None  # the call a settle or release entry is for
    reservation_id: uuid.UUID | None  # only on entries written before budget leases (0008)
    note: str | None
    created_at: datetime


class LedgerPage(BaseModel):
    entries: list[EntryOut]
    next_before: uuid.UUID | None  # pass as `before` for the next (older) page; null at the end


class StatementOut(Out):
    wallet_id: uuid.UUID
    kind: str
    month: str
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    opening_balance: UsdString
    charges: UsdString
    charge_count: int
    top_ups: UsdString
    other: UsdString
    closing_balance: UsdString
    amount_due: UsdString


@router.post("", response_model=WalletOut, status_code=201, summary="Open a wallet")
async def open_wallet(
    body: WalletIn, caller: ManagerCaller, session: DbSession, work: Work, request: Request
) -> WalletOut:
    wallet = await accounts.open_wallet(
        session,
        caller.tenant_id,
        owner_scope=body.owner_scope,
        owner_id=body.owner_id,
        kind=body.kind,
        overdraft_limit_nanos=body.overdraft_limit,
        low_balance_threshold_nanos=body.low_balance_threshold,
    )
    await record_action(
        session,
        caller,
        "budget.wallet.opened",
        id=wallet.id,
        owner_scope=wallet.owner_scope,
        owner_id=wallet.owner_id,
        kind=wallet.kind,
    )
    limits_changed(request, work, caller.tenant_id)
    return WalletOut.of(await wallets.fresh(session, wallet.id))


@router.get("", response_model=list[WalletOut], summary="List wallets")
async def list_wallets(caller: AdminCaller, session: DbSession) -> list[WalletOut]:
    return [WalletOut.of(w) for w in await list_owned(session, Wallet, caller.tenant_id)]


@router.get(ITEM, response_model=WalletOut, summary="A wallet's balance and limits")
async def get_wallet(wallet_id: uuid.UUID, caller: AdminCaller, session: DbSession) -> WalletOut:
    return WalletOut.of(await get_owned(session, Wallet, caller.tenant_id, wallet_id))


@router.patch(ITEM, response_model=WalletOut, summary="Change a wallet's overdraft or threshold")
async def patch_wallet(
    wallet_id: uuid.UUID,
    body: WalletPatch,
    caller: ManagerCaller,
    session: DbSession,
    work: Work,
    request: Request,
) -> WalletOut:
    changes = {f"{name}_nanos": value for name, value in body.changes().items()}
    wallet = await wallets.change_wallet(
        session, caller.tenant_id, wallet_id, datetime.now(UTC), **changes
    )
    shown = {name: None if v is None else to_usd_string(v) for name, v in body.changes().items()}
    await record_action(session, caller, "budget.wallet.updated", id=wallet_id, **shown)
    limits_changed(request, work, caller.tenant_id)
    return WalletOut.of(wallet)


@router.post(
    f"{ITEM}/top-up", response_model=ToppedUpOut, status_code=201, summary="Top a wallet up"
)
async def top_up(
    wallet_id: uuid.UUID, body: TopUpIn, caller: ManagerCaller, session: DbSession
) -> ToppedUpOut:
    row = await topups.top_up(
        session,
        caller.tenant_id,
        wallet_id,
        body.amount,
        datetime.now(UTC),
        note=body.note,
        created_by=caller.user_id,
    )
    await record_action(
        session,
        caller,
        "budget.wallet.topped_up",
        id=wallet_id,
        top_up_id=row.id,
        amount=to_usd_string(body.amount),
    )
    wallet = WalletOut.of(await wallets.fresh(session, wallet_id))
    return ToppedUpOut(top_up=TopUpOut.model_validate(row), wallet=wallet)


@router.get(f"{ITEM}/top-ups", response_model=list[TopUpOut], summary="A wallet's top-ups")
async def list_top_ups(
    wallet_id: uuid.UUID, caller: AdminCaller, session: DbSession, limit: Limit = 100
) -> object:
    return await topups.list_top_ups(session, caller.tenant_id, wallet_id, limit)


@router.post(
    f"{ITEM}/convert-to-prepaid", response_model=WalletOut, summary="Make a postpaid wallet prepaid"
)
async def convert_to_prepaid(
    wallet_id: uuid.UUID, caller: ManagerCaller, session: DbSession, work: Work, request: Request
) -> WalletOut:
    wallet = await wallets.convert_to_prepaid(
        session, caller.tenant_id, wallet_id, datetime.now(UTC)
    )
    await record_action(session, caller, "budget.wallet.converted", id=wallet_id, kind="prepaid")
    limits_changed(request, work, caller.tenant_id)
    return WalletOut.of(wallet)


@router.get(f"{ITEM}/ledger", response_model=LedgerPage, summary="A wallet's ledger, newest first")
async def ledger(
    wallet_id: uuid.UUID,
    caller: AdminCaller,
    session: DbSession,
    limit: Limit = 100,
    before: uuid.UUID | None = None,
) -> LedgerPage:
    rows = await wallets.ledger_page(
        session, caller.tenant_id, wallet_id, limit=limit, before=before
    )
    entries = [EntryOut.model_validate(row) for row in rows]
    return LedgerPage(entries=entries, next_before=rows[-1].id if len(rows) == limit else None)


@router.get(f"{ITEM}/statement", response_model=StatementOut, summary="A monthly statement")
async def statement(
    wallet_id: uuid.UUID, caller: AdminCaller, session: DbSession, month: Month = None
) -> StatementOut:
    asked = None if month is None else (int(month[:4]), int(month[5:]))
    made = await statements.monthly_statement(
        session, caller.tenant_id, wallet_id, datetime.now(UTC), asked
    )
    return StatementOut.model_validate(made)

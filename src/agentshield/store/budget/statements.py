"""A wallet's monthly statement, computed from its ledger (never from its balance column).

The opening balance is the sum of every entry before the month, the closing balance the
opening plus every entry in it; in between, the movements by kind: charges (settled
calls), top-ups, and any other movement (adjustments). Holds move `reserved`, not the
balance, so reservations appear only through the charge they settle to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.budget import window_bounds
from agentshield.store.budget.accounts import tenant_time_zone
from agentshield.store.models import LedgerEntry, Wallet
from agentshield.store.scoped import get_owned


@dataclass(frozen=True, slots=True)
class Statement:
    """Nano-dollars. `charges` is positive (what calls cost); `amount_due` is what the
    closing balance owes (0 when it is not negative)."""

    wallet_id: uuid.UUID
    kind: str
    month: str  # YYYY-MM
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    opening_balance: int
    charges: int
    charge_count: int
    top_ups: int
    other: int
    closing_balance: int

    @property
    def amount_due(self) -> int:
        return max(0, -self.closing_balance)


async def monthly_statement(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    wallet_id: uuid.UUID,
    now: datetime,
    month: tuple[int, int] | None = None,
) -> Statement:
    """The statement of calendar month (year, month) in the tenant's time zone (UTC when
    none is set); the month holding `now` by default."""
    wallet = await get_owned(session, Wallet, tenant_id, wallet_id)
    time_zone = await tenant_time_zone(session, tenant_id)
    zone = time_zone or "UTC"
    if month is not None:  # any instant inside the month names it
        now = datetime(*month, 15, 12, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    start, end = window_bounds("monthly", now, time_zone)
    local_start = start.astimezone(ZoneInfo(zone))
    amount = LedgerEntry.amount_nanos
    in_month = LedgerEntry.created_at >= start

    def total(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, amount), else_=0)), 0)

    row = (
        await session.execute(
            select(
                total(LedgerEntry.created_at < start),
                total(in_month & (LedgerEntry.kind == "settle")),
                func.count(case((in_month & (LedgerEntry.kind == "settle"), 1))),
                total(in_month & (LedgerEntry.kind == "top_up")),
                total(in_month & LedgerEntry.kind.not_in(("settle", "top_up"))),
            ).where(
                LedgerEntry.tenant_id == tenant_id,
                LedgerEntry.wallet_id == wallet_id,
                LedgerEntry.created_at < end,
            )
        )
    ).one()
    opening, settled, count, topped, other = (int(value) for value in row)
    return Statement(
        wallet_id=wallet_id,
        kind=wallet.kind,
        month=f"{local_start.year:04d}-{local_start.month:02d}",
        time_zone=zone,
        starts_at=start,
        ends_at=end,
        opening_balance=opening,
        charges=-settled,
        charge_count=count,
        top_ups=topped,
        other=other,
        closing_balance=opening + settled + topped + other,
    )

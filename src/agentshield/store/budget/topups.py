"""Top-ups: money into a wallet, each one a `top_ups` row and a ledger entry.

An admin's top-up is credited at once. A Stripe Checkout top-up is recorded `pending` when
its session is created and credited only by a verified webhook event: the event's id is
inserted into `stripe_events` in the same transaction, so a redelivered event finds its id
taken and changes nothing, and the pending row is flipped by a conditional UPDATE, so two
different events for one session still credit it once. A refund in Stripe takes its amount
back from the wallet (a `refund` ledger entry), once, whichever events report it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.ids import uuid7
from agentshield.store.budget.ledger import NO_SYNC, move
from agentshield.store.errors import Conflict, Invalid
from agentshield.store.models import StripeEvent, TopUp, Wallet
from agentshield.store.scoped import get_owned


async def top_up(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    wallet_id: uuid.UUID,
    amount_nanos: int,
    now: datetime,
    *,
    note: str | None = None,
    created_by: uuid.UUID | None = None,
) -> TopUp:
    """An admin's top-up, credited now."""
    _positive(amount_nanos)
    await get_owned(session, Wallet, tenant_id, wallet_id)
    row = TopUp(
        tenant_id=tenant_id,
        wallet_id=wallet_id,
        amount_nanos=amount_nanos,
        source="admin",
        status="credited",
        created_by=created_by,
        note=note,
        created_at=now,
        credited_at=now,
    )
    session.add(row)
    await move(session, wallet_id, "top_up", amount=amount_nanos, note=note, now=now)
    return row


async def open_checkout(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    wallet_id: uuid.UUID,
    amount_nanos: int,
    checkout_id: str,
    now: datetime,
    *,
    created_by: uuid.UUID | None = None,
    top_up_id: uuid.UUID | None = None,
) -> TopUp:
    """A pending top-up for a Checkout session just created; nothing is credited yet.
    `top_up_id`: the id the session's metadata already names, when it was chosen first."""
    _positive(amount_nanos)
    await get_owned(session, Wallet, tenant_id, wallet_id)
    row = TopUp(
        id=top_up_id or uuid7(),
        tenant_id=tenant_id,
        wallet_id=wallet_id,
        amount_nanos=amount_nanos,
        source="stripe",
        status="pending",
        external_id=checkout_id,
        created_by=created_by,
        created_at=now,
    )
    session.add(row)
    return row


async def first_delivery(session: AsyncSession, event_id: str, kind: str, now: datetime) -> bool:
    """Record a webhook event's id; False if it was handled before (a redelivery)."""
    try:
        async with session.begin_nested():
            session.add(StripeEvent(id=event_id, kind=kind, received_at=now))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def pending_checkout(session: AsyncSession, checkout_id: str) -> TopUp | None:
    """The top-up still waiting for a Checkout session's payment, if any."""
    return await session.scalar(
        select(TopUp).where(TopUp.external_id == checkout_id, TopUp.status == "pending")
    )


async def credit_checkout(
    session: AsyncSession,
    checkout_id: str,
    paid_nanos: int,
    now: datetime,
    payment_id: str | None = None,
) -> TopUp | None:
    """Credit the pending top-up of a paid Checkout session; None when there is none left
    to credit (unknown session, or already credited). A paid amount that differs from the
    one the session was opened for is refused rather than guessed at. `payment_id` (the
    session's payment intent) is kept to find the top-up again when it is refunded."""
    pending = await pending_checkout(session, checkout_id)
    if pending is None:
        return None
    if pending.amount_nanos != paid_nanos:
        raise Conflict(
            f"checkout {checkout_id} paid {paid_nanos} nanos, opened for {pending.amount_nanos}"
        )
    if not await _settle_pending(session, pending, credited_at=now, payment_id=payment_id):
        return None
    note = f"stripe {checkout_id}"[:200]
    await move(session, pending.wallet_id, "top_up", amount=paid_nanos, note=note, now=now)
    return pending


@dataclass(frozen=True, slots=True)
class Refund:
    top_up: TopUp
    amount_nanos: int  # what this refund took back
    refunded_nanos: int  # what has been taken back of the top-up in all


async def refund_payment(
    session: AsyncSession, payment_id: str, refunded_nanos: int, now: datetime
) -> Refund | None:
    """Take back from the wallet what Stripe has refunded of a credited top-up since the last
    refund it reported. `refunded_nanos` is Stripe's running total for the payment, so a
    refund reported twice, or out of order, takes nothing more. None when nothing is due."""
    top_up = await session.scalar(
        select(TopUp).where(TopUp.payment_id == payment_id, TopUp.status == "credited")
    )
    if top_up is None:
        return None
    total = min(refunded_nanos, top_up.amount_nanos)
    already = top_up.refunded_nanos
    if total <= already:
        return None
    raised = await session.execute(
        update(TopUp)
        .where(TopUp.id == top_up.id, TopUp.refunded_nanos == already)
        .values(refunded_nanos=total)
        .execution_options(**NO_SYNC)
    )
    if raised.rowcount != 1:  # type: ignore[attr-defined]
        return None  # another delivery took it first
    note = f"stripe refund {payment_id}"[:200]
    await move(session, top_up.wallet_id, "refund", amount=already - total, note=note, now=now)
    return Refund(top_up, total - already, total)


async def close_checkout(session: AsyncSession, checkout_id: str, status: str) -> TopUp | None:
    """Mark the pending top-up of a Checkout session that will never be paid (`expired`,
    `failed`); None when none was pending (unknown, credited or closed already)."""
    pending = await pending_checkout(session, checkout_id)
    if pending is None:
        return None
    return pending if await _settle_pending(session, pending, status=status) else None


async def _settle_pending(session: AsyncSession, pending: TopUp, **values: object) -> bool:
    """Move a pending top-up out of `pending` (credited by default); False when another
    delivery did it first."""
    flipped = await session.execute(
        update(TopUp)
        .where(TopUp.id == pending.id, TopUp.status == "pending")
        .values({"status": "credited", **values})
        .execution_options(**NO_SYNC)
    )
    return bool(flipped.rowcount == 1)  # type: ignore[attr-defined]


async def list_top_ups(
    session: AsyncSession, tenant_id: uuid.UUID, wallet_id: uuid.UUID, limit: int = 100
) -> Sequence[TopUp]:
    await get_owned(session, Wallet, tenant_id, wallet_id)
    rows = await session.scalars(
        select(TopUp)
        .where(TopUp.tenant_id == tenant_id, TopUp.wallet_id == wallet_id)
        .order_by(TopUp.created_at.desc(), TopUp.id.desc())
        .limit(limit)
    )
    return rows.all()


def _positive(amount_nanos: int) -> None:
    if amount_nanos <= 0:
        raise Invalid("a top-up must be a positive amount")

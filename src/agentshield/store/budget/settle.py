"""Settle, release, expire: how a reservation ends, each exactly once.

A reservation's status changes by a conditional UPDATE first (`WHERE status = 'held'`), so
of two processes ending the same reservation only one moves money; the other is a no-op.
Settling charges the actual cost, below or above what was held. A call that outlived its
reservation (expired, its hold already returned) is still charged when it settles.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.store.budget.ledger import NO_SYNC, move
from agentshield.store.models import QuotaUsage, Reservation


async def settle(
    session: AsyncSession,
    reservation_id: uuid.UUID,
    actual_nanos: int,
    actual_tokens: int,
    now: datetime,
) -> bool:
    """Charge the actual cost and return the hold; False when already settled or released."""
    if actual_nanos < 0 or actual_tokens < 0:
        raise ValueError("an actual cost cannot be negative")
    values = {"actual_nanos": actual_nanos, "actual_tokens": actual_tokens}
    for was_held in (True, False):
        closed = await _close(
            session, reservation_id, "held" if was_held else "expired", "settled", now, values
        )
        if closed is not None:
            break
    else:
        return False
    for target in closed:
        actual = actual_nanos if target["metric"] == "usd" else actual_tokens
        held = target["amount"] if was_held else 0
        await _apply(
            session, target, used=actual, hold=-held, kind="settle", rid=reservation_id, now=now
        )
    return True


async def release(session: AsyncSession, reservation_id: uuid.UUID, now: datetime) -> bool:
    """Return the whole hold (the call cost nothing); False when already ended."""
    targets = await _close(session, reservation_id, "held", "released", now, {})
    if targets is None:
        return False
    for target in targets:
        await _apply(
            session,
            target,
            used=0,
            hold=-target["amount"],
            kind="release",
            rid=reservation_id,
            now=now,
        )
    return True


async def expire_stale(session: AsyncSession, now: datetime) -> int:
    """Release every reservation held past its `expires_at`; how many were."""
    closed = (
        await session.execute(
            update(Reservation)
            .where(Reservation.status == "held", Reservation.expires_at <= now)
            .values(status="expired", closed_at=now)
            .returning(Reservation.id, Reservation.targets)
            .execution_options(**NO_SYNC)
        )
    ).all()
    # Every reservation row is locked by the statement above before any target: then targets
    # in the global order (quotas, then wallets, by id), as `reserve` takes them.
    moves = sorted(
        ((target, rid) for rid, targets in closed for target in targets), key=_lock_order
    )
    for target, rid in moves:
        await _apply(
            session, target, used=0, hold=-target["amount"], kind="expire", rid=rid, now=now
        )
    return len(closed)


async def _close(
    session: AsyncSession,
    rid: uuid.UUID,
    was: str,
    status: str,
    now: datetime,
    values: dict[str, Any],
) -> list[dict[str, Any]] | None:
    return await session.scalar(
        update(Reservation)
        .where(Reservation.id == rid, Reservation.status == was)
        .values(status=status, closed_at=now, **values)
        .returning(Reservation.targets)
        .execution_options(**NO_SYNC)
    )


async def _apply(
    session: AsyncSession,
    target: dict[str, Any],
    *,
    used: int,
    hold: int,
    kind: str,
    rid: uuid.UUID,
    now: datetime,
) -> None:
    target_id = uuid.UUID(target["id"])
    if target["kind"] == "wallet":
        await move(session, target_id, kind, amount=-used, hold=hold, reservation_id=rid, now=now)
        return
    await session.execute(
        update(QuotaUsage)
        .where(QuotaUsage.id == target_id)
        .values(used=QuotaUsage.used + used, reserved=QuotaUsage.reserved + hold)
        .execution_options(**NO_SYNC)
    )


def _lock_order(move: tuple[dict[str, Any], uuid.UUID]) -> tuple[bool, str, str]:
    target = move[0]
    return target["kind"] == "wallet", target.get("quota_id", target["id"]), target["id"]

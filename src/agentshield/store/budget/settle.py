"""Settle, release, expire: how a reservation ends, each exactly once.

A reservation's status changes by a conditional UPDATE first (`WHERE status = 'held'`), so
of two processes ending the same reservation only one moves money; the other is a no-op.
Settling charges the actual cost, below or above what was held. A call that outlived its
reservation (expired, its hold already returned) is still charged when it settles.

`end_many` ends many reservations in one transaction (the gateway batches concurrent
calls, see store/batches.py); the money they move is then written once per row: quota
windows in quota order, then wallets in id order, as `hold_many` locks them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.store.budget.ledger import WalletMoves
from agentshield.store.sql import Sql, as_json, as_uuid, in_session

_CLOSE = """
UPDATE reservations SET status = :status, closed_at = :now, actual_nanos = :actual_nanos,
    actual_tokens = :actual_tokens
WHERE id = :id AND status = :was
RETURNING targets
"""
_STALE = """
SELECT id, targets FROM reservations WHERE status = 'held' AND expires_at <= :now ORDER BY id
"""
_EXPIRE = "UPDATE reservations SET status = 'expired', closed_at = :now WHERE id = :id"
_USE_QUOTA = """
UPDATE quota_usage SET used = used + :used, reserved = reserved + :hold WHERE id = :id
"""


@dataclass(frozen=True, slots=True)
class Ending:
    """Settle a reservation to its actual cost, or release it (`charge` False)."""

    reservation_id: uuid.UUID
    now: datetime
    charge: bool = True
    actual_nanos: int = 0
    actual_tokens: int = 0


@dataclass(frozen=True, slots=True)
class _Move:
    target: dict[str, Any]
    used: int
    hold: int
    kind: str
    reservation_id: uuid.UUID
    now: datetime


async def settle(
    session: AsyncSession,
    reservation_id: uuid.UUID,
    actual_nanos: int,
    actual_tokens: int,
    now: datetime,
) -> bool:
    """Charge the actual cost and return the hold; False when already settled or released."""
    return await _end_one(session, Ending(reservation_id, now, True, actual_nanos, actual_tokens))


async def release(session: AsyncSession, reservation_id: uuid.UUID, now: datetime) -> bool:
    """Return the whole hold (the call cost nothing); False when already ended."""
    return await _end_one(session, Ending(reservation_id, now, charge=False))


async def expire_stale(session: AsyncSession, now: datetime) -> int:
    """Release every reservation held past its `expires_at`; how many were."""
    return await in_session(session, expire_step, now)


async def _end_one(session: AsyncSession, ending: Ending) -> bool:
    (outcome,) = await in_session(session, end_many, [ending])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def end_many(sql: Sql, endings: Sequence[Ending]) -> list[bool | Exception]:
    """End each reservation; True where this ended it, False where it had already ended."""
    outcomes: list[bool | Exception] = [False] * len(endings)
    moves: list[_Move] = []
    # Reservations in id order, as the sweep locks them: on PostgreSQL the two never wait
    # for each other in a circle.
    for i in sorted(range(len(endings)), key=lambda i: endings[i].reservation_id):
        ending = endings[i]
        if ending.actual_nanos < 0 or ending.actual_tokens < 0:
            outcomes[i] = ValueError("an actual cost cannot be negative")
            continue
        ended = _end(sql, ending)
        outcomes[i] = ended is not None
        moves += ended or ()
    _apply(sql, moves)
    return outcomes


def expire_step(sql: Sql, now: datetime) -> int:
    # Read and locked first (in id order), then closed: a settle that got there first has
    # changed the status, and PostgreSQL re-checks it when the lock is granted.
    stale = sql.rows(_STALE + (" FOR UPDATE" if sql.locks_rows else ""), {"now": now})
    expired = [(as_uuid(rid), as_json(targets)) for rid, targets in stale]
    sql.many(_EXPIRE, [{"now": now, "id": rid} for rid, _ in expired])
    moves = [
        _Move(target, 0, -target["amount"], "expire", rid, now)
        for rid, targets in expired
        for target in targets
    ]
    _apply(sql, moves)
    return len(expired)


def _end(sql: Sql, ending: Ending) -> list[_Move] | None:
    rid, now = ending.reservation_id, ending.now
    params = {
        "status": "settled" if ending.charge else "released",
        "now": now,
        "actual_nanos": ending.actual_nanos if ending.charge else None,
        "actual_tokens": ending.actual_tokens if ending.charge else None,
        "id": rid,
    }
    # A settled call is charged even when its hold had expired (and was returned already).
    for was in ("held", "expired") if ending.charge else ("held",):
        rows = sql.rows(_CLOSE, {**params, "was": was})
        if rows:
            break
    else:
        return None
    moves = []
    for target in as_json(rows[0][0]):
        hold = -target["amount"] if was == "held" else 0
        if not ending.charge:
            moves.append(_Move(target, 0, hold, "release", rid, now))
            continue
        used = ending.actual_nanos if target["metric"] == "usd" else ending.actual_tokens
        moves.append(_Move(target, used, hold, "settle", rid, now))
    return moves


def _apply(sql: Sql, moves: list[_Move]) -> None:
    """Write the moves: quota windows summed per row, in quota order; then wallets."""
    windows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for move in moves:
        target = move.target
        if target["kind"] == "quota":
            window = windows[(target["quota_id"], target["id"])]
            window[0] += move.used
            window[1] += move.hold
    for (_, usage_id), (used, hold) in sorted(windows.items()):
        sql.run(_USE_QUOTA, {"used": used, "hold": hold, "id": uuid.UUID(usage_id)})
    paid = [move for move in moves if move.target["kind"] == "wallet"]
    wallets = WalletMoves(sql, (uuid.UUID(move.target["id"]) for move in paid))
    for move in paid:
        wallet_id = uuid.UUID(move.target["id"])
        if wallet_id in wallets.wallets:  # a wallet deleted since has nothing to return to
            wallets.move(
                wallet_id,
                move.kind,
                move.now,
                amount=-move.used,
                hold=move.hold,
                reservation_id=move.reservation_id,
            )
    wallets.write()

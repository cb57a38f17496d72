"""Settle, release, expire: how a reservation ends, each exactly once.

The transaction that ends a reservation reads its status first (on PostgreSQL locking the
row, on SQLite under the file's write lock), so of two processes ending the same
reservation only one moves money; the other is a no-op.
Settling charges the actual cost, below or above what was held. A call that outlived its
reservation (expired, its hold already returned) is still charged when it settles.

`end_many` ends many reservations in one transaction (the gateway batches concurrent
calls, see store/group_commit.py); the money they move is then written once per row: quota
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

# The batch's reservations, read (on PostgreSQL: locked, in id order) in one statement;
# each is then closed by what its status was when the transaction read it.
READ_AT_MOST = 512  # ids to a statement, far below either database's limit on parameters
_READ = "SELECT id, status, targets FROM reservations WHERE id IN ({ids}) ORDER BY id"
_CLOSE = """
UPDATE reservations SET status = :status, closed_at = :now, actual_nanos = :actual_nanos,
    actual_tokens = :actual_tokens
WHERE id = :id
"""
# The inner query finds them by the index of held reservations (ordered by id, the planner
# would rather scan every reservation ever made); the outer `status` is what PostgreSQL
# checks again once the lock is granted.
_STALE = """
SELECT id, targets FROM reservations WHERE status = 'held' AND id IN (
    SELECT id FROM reservations WHERE status = 'held' AND expires_at <= :now
) ORDER BY id
"""
_EXPIRE = "UPDATE reservations SET status = 'expired', closed_at = :now WHERE id = :id"
_USE_QUOTA = """
UPDATE quota_usage SET used = used + :used, reserved = reserved + :hold WHERE id = :id
"""


@dataclass(slots=True)  # not frozen, as what is made for every call: see _Move
class Ending:
    """Settle a reservation to its actual cost, or release it (`charge` False).

    `targets`, when given, are the reservation's own (`Held.targets`); otherwise they are
    read from its row."""

    reservation_id: uuid.UUID
    now: datetime
    charge: bool = True
    actual_nanos: int = 0
    actual_tokens: int = 0
    targets: tuple[dict[str, Any], ...] | None = None


@dataclass(slots=True)  # not frozen: five a settle, and frozen ones are made 4x slower
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
    found = _read(sql, {ending.reservation_id for ending in endings})
    closes: list[dict[str, object]] = []
    moves: list[_Move] = []
    for i, ending in enumerate(endings):
        if ending.actual_nanos < 0 or ending.actual_tokens < 0:
            outcomes[i] = ValueError("an actual cost cannot be negative")
            continue
        reservation = found.get(ending.reservation_id)
        ended = None if reservation is None else _end(ending, reservation, closes)
        outcomes[i] = ended is not None
        moves += ended or ()
    sql.many(_CLOSE, closes)
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


@dataclass(slots=True)
class _Reservation:
    status: str
    stored_targets: str | list[dict[str, Any]]  # as the driver returns the column

    def targets(self, ending: Ending) -> Sequence[dict[str, Any]]:
        if ending.targets is not None:
            return ending.targets
        return as_json(self.stored_targets)


def _read(sql: Sql, ids: set[uuid.UUID]) -> dict[uuid.UUID, _Reservation]:
    """The reservations of `ids` that exist. Read in id order, as the sweep reads them, so
    on PostgreSQL the two never wait for each other in a circle."""
    ordered = sorted(ids)
    found: dict[uuid.UUID, _Reservation] = {}
    for at in range(0, len(ordered), READ_AT_MOST):
        chunk = ordered[at : at + READ_AT_MOST]
        # Padded (with the last id) to a power of two: few distinct statements to prepare.
        chunk += chunk[-1:] * ((1 << (len(chunk) - 1).bit_length()) - len(chunk))
        names = {f"id{n}": rid for n, rid in enumerate(chunk)}
        read = _READ.format(ids=", ".join(f":{name}" for name in names))
        read += " FOR UPDATE" if sql.locks_rows else ""
        for rid, status, targets in sql.rows(read, names):
            found[as_uuid(rid)] = _Reservation(status, targets)
    return found


def _end(
    ending: Ending, reservation: _Reservation, closes: list[dict[str, object]]
) -> list[_Move] | None:
    """The moves that end `reservation` (its close added to `closes`), or None when it has
    ended already. A settled call is charged even when its hold had expired (and was
    returned already)."""
    was = reservation.status
    if was != "held" and not (ending.charge and was == "expired"):
        return None
    rid, now = ending.reservation_id, ending.now
    reservation.status = "settled" if ending.charge else "released"
    closes.append(
        {
            "status": reservation.status,
            "now": now,
            "actual_nanos": ending.actual_nanos if ending.charge else None,
            "actual_tokens": ending.actual_tokens if ending.charge else None,
            "id": rid,
        }
    )
    moves = []
    for target in reservation.targets(ending):
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
    paid: list[tuple[str, _Move]] = []
    for move in moves:
        target = move.target
        if target["kind"] == "quota":
            window = windows[(target["quota_id"], target["id"])]
            window[0] += move.used
            window[1] += move.hold
        else:
            paid.append((target["id"], move))
    used_windows = sorted(windows.items())
    sql.many(
        _USE_QUOTA,
        [
            {"used": u, "hold": h, "id": uuid.UUID(usage_id)}
            for (_, usage_id), (u, h) in used_windows
        ],
    )
    wallet_ids = {text: uuid.UUID(text) for text in {text for text, _ in paid}}
    wallets = WalletMoves(sql, wallet_ids.values())
    for text, move in paid:
        wallet_id = wallet_ids[text]
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

"""Leases: what a process's calls in flight hold, summed per quota window and wallet, so a
process that dies leaves nothing held for good.

Every batch of the budget step renews the lease of the process it runs for, and learns
there whether the lease lapsed (another process swept it: the process was stalled past its
TTL): the calls held under a lapsed lease are charged when they end, but their holds are not
returned twice. A sweep returns the holds of every lease expired for good; each process
sweeps every `sweep_interval`. Locks are taken leases first (in id order), then quota
windows, then wallets, as the budget step takes them, so no two transactions wait for each
other in a circle.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from agentshield.store.budget.holds import Lease, Leases
from agentshield.store.budget.ledger import WalletMoves
from agentshield.store.sql import Sql, as_uuid

_RENEW = "UPDATE budget_leases SET expires_at = :expires WHERE id = :id RETURNING id"
_OPEN = """
INSERT INTO budget_leases (id, owner, created_at, expires_at)
VALUES (:id, :owner, :now, :expires)
"""
_HOLD = """
INSERT INTO lease_holds (lease_id, kind, target_id, amount)
VALUES (:lease_id, :kind, :target_id, :amount)
ON CONFLICT (lease_id, kind, target_id) DO UPDATE SET amount = lease_holds.amount + excluded.amount
"""
_LAPSED = "SELECT id, owner FROM budget_leases WHERE expires_at <= :now ORDER BY id"
_HELD_BY = """
SELECT kind, target_id, amount FROM lease_holds WHERE lease_id = :lease_id AND amount != 0
"""
_WINDOWS = "SELECT id FROM quota_usage WHERE id IN ({ids}) ORDER BY quota_id, window_start"
_RETURN = "UPDATE quota_usage SET reserved = reserved - :amount WHERE id = :id"
_DROP = "DELETE FROM budget_leases WHERE id = :id"
_RETIRE = """
DELETE FROM budget_leases WHERE id = :id
    AND NOT EXISTS (SELECT 1 FROM lease_holds WHERE lease_id = :id AND amount != 0)
"""

# What a batch changes in lease_holds: (lease, "quota" | "wallet", target id) -> amount.
HoldDeltas = dict[tuple[Lease, str, uuid.UUID], int]


def renew(sql: Sql, leases: Leases, now: datetime, opening: bool) -> Lease:
    """Renew the process's lease (a lapsed one is replaced); open it when `opening` (the
    batch holds under it) and it has no row yet. The lease to hold under."""
    lease = leases.current
    expires = now + leases.ttl
    if lease.written and not sql.rows(_RENEW, {"expires": expires, "id": lease.id}):
        lease.lapsed = True  # swept: its calls' holds went back already
        lease = leases.current = Lease()
    if opening and not lease.written:
        params = {"id": lease.id, "owner": leases.owner, "now": now, "expires": expires}
        sql.run(_OPEN, params)
        lease.written = True
    return lease


def write_holds(sql: Sql, deltas: HoldDeltas) -> None:
    sql.many(
        _HOLD,
        [
            {"lease_id": lease.id, "kind": kind, "target_id": target, "amount": amount}
            for (lease, kind, target), amount in deltas.items()
            if amount and not lease.lapsed
        ],
    )


def sweep_step(sql: Sql, times: Sequence[datetime]) -> list[int]:
    """Return what every lease expired by the time given holds, and delete it: the number
    of leases swept (one outcome for each time asked, all the same)."""
    now = max(times)
    read = _LAPSED + (" FOR UPDATE SKIP LOCKED" if sql.locks_rows else "")
    lapsed = [(as_uuid(lease_id), owner) for lease_id, owner in sql.rows(read, {"now": now})]
    if not lapsed:
        return [0] * len(times)
    windows: dict[uuid.UUID, int] = defaultdict(int)
    wallets: list[tuple[uuid.UUID, int, str]] = []
    for lease_id, owner in lapsed:
        for kind, target, amount in sql.rows(_HELD_BY, {"lease_id": lease_id}):
            if kind == "quota":
                windows[as_uuid(target)] += amount
            else:
                wallets.append((as_uuid(target), amount, f"lease of {owner} lapsed"))
    _return_windows(sql, windows)
    moves = WalletMoves(sql, (wallet_id for wallet_id, _, _ in wallets))
    for wallet_id, amount, note in sorted(wallets, key=lambda held: held[0]):
        if wallet_id in moves.wallets:  # a wallet deleted since has nothing to return to
            moves.move(wallet_id, "expire", now, hold=-amount, note=note)
    moves.write()
    sql.many(_DROP, [{"id": lease_id} for lease_id, _ in lapsed])
    return [len(lapsed)] * len(times)


def retire_step(sql: Sql, leases: Sequence[Lease]) -> list[None]:
    """Delete leases that hold nothing (a process stopping with no call in flight)."""
    sql.many(_RETIRE, [{"id": lease.id} for lease in leases])
    return [None] * len(leases)


def _return_windows(sql: Sql, amounts: dict[uuid.UUID, int]) -> None:
    """Quota windows locked in the budget step's order (quota, then window start)."""
    if not amounts:
        return
    names = {f"id{n}": usage_id for n, usage_id in enumerate(amounts)}
    read = _WINDOWS.format(ids=", ".join(f":{name}" for name in names))
    locked = sql.rows(read + (" FOR UPDATE" if sql.locks_rows else ""), names)
    ids = [as_uuid(row[0]) for row in locked]
    sql.many(_RETURN, [{"amount": amounts[usage_id], "id": usage_id} for usage_id in ids])


def in_lock_order(all_leases: Iterable[Leases]) -> list[Leases]:
    """Each process's leases once, in their current lease's id order (the lock order)."""
    unique = {id(leases): leases for leases in all_leases}
    return sorted(unique.values(), key=lambda leases: leases.current.id)

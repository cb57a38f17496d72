"""The budget's one step: the holds, endings and expiries of concurrent calls, together in
one transaction (the gateway batches them, store/group_commit.py).

Locks are taken in one order by every transaction: the process's lease (renewed there, or
found lapsed), then every quota window the batch needs (by quota, then window start), then
every wallet (by id); on SQLite the transaction holds the file's write lock instead. Each
row is read once and written once, whatever the number of calls. Endings and expiries go
first, so what they give back is there for the holds of the same batch. A batch writes one
ledger entry per settled or released call, and one per wallet for its holds and expiries.

The step is a function of the database and its items: run again after a rollback (see
group_commit.py), it decides the same. The calls' own states change only when the batch has
committed (service.py), from the outcomes: a `Held` (or a `Refusal`, or the exception for
that call alone) for a hold, True or False (ended already) for an ending, and the calls
whose holds went back for an expiry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from agentshield.store.budget.holds import Ending, Expiry, Held, HoldRequest, Lease
from agentshield.store.budget.lease import in_lock_order, renew, write_holds
from agentshield.store.budget.ledger import WalletMoves
from agentshield.store.budget.quota_windows import read_windows, write_windows
from agentshield.store.budget.reserve import apply_holds, bounds_of, hold, window_keys
from agentshield.store.budget.settle import apply_endings, end, expire
from agentshield.store.budget.state import BatchState
from agentshield.store.sql import Sql

Item = HoldRequest | Ending | Expiry


def budget_step(sql: Sql, items: Sequence[Item]) -> list[object]:
    now = max(item.now for item in items)
    requests = [item for item in items if isinstance(item, HoldRequest)]
    # What the calls ending hold against: few distinct objects, one per batch that held.
    targets = {id(t): t for item in items for held in _helds(item) if (t := held.targets)}
    leases = _renew_leases(sql, items, requests, now)
    bounds = bounds_of(requests)
    to_open = window_keys(bounds)
    known = {(w.quota_id, w.start) for t in targets.values() for w in t.windows}
    limits = {id(r.limits): r.limits for r in requests}.values()
    wallet_ids = {w.id for found in limits if (w := found.wallet) is not None}
    wallet_ids.update(t.wallet_id for t in targets.values() if t.wallet_id is not None)
    state = BatchState(
        now, read_windows(sql, to_open | known, to_open), WalletMoves(sql, wallet_ids)
    )
    outcomes: list[object] = [None] * len(items)
    overlay: dict[Held, str] = {}
    for i, item in enumerate(items):
        if isinstance(item, Ending):
            outcomes[i] = end(state, item, overlay)
    for i, item in enumerate(items):
        if isinstance(item, Expiry):
            outcomes[i] = [held for held in item.helds if expire(state, held, overlay)]
    apply_endings(state)
    state.wallets.record_holds("expire", now)
    at = iter(bounds)
    for i, item in enumerate(items):
        if isinstance(item, HoldRequest):
            outcomes[i] = hold(state, item, next(at), leases[id(item.leases)])
    apply_holds(state)
    state.wallets.record_holds("reserve", now)
    write_windows(sql, state.windows)
    state.wallets.write()
    write_holds(sql, state.deltas)
    return outcomes


def _renew_leases(
    sql: Sql, items: Sequence[Item], requests: list[HoldRequest], now: datetime
) -> dict[int, Lease]:
    """Each process's lease renewed (opened if the batch holds under it), in lock order."""
    holding = {id(request.leases) for request in requests}
    return {
        id(leases): renew(sql, leases, now, id(leases) in holding)
        for leases in in_lock_order(item.leases for item in items)
    }


def _helds(item: Item) -> Sequence[Held]:
    if isinstance(item, Ending):
        return (item.held,)
    if isinstance(item, Expiry):
        return item.helds
    return ()

"""Settle, release, expire: how a call's hold ends, each exactly once.

A call is settled to its actual cost (below or above what it held) or released (it cost
nothing); either returns its hold, unless the hold went back already: expired (the call
outlived its reservation's TTL) or returned by the sweep of its lapsed lease. Such a call
is still charged when it settles. A settle writes one ledger entry for the call, named by
its trace id; holds returned by expiry share one entry per wallet.

`overlay` holds the states a batch has decided so far (a call ended twice in one batch);
a call's own `state` changes only once its batch has committed.
"""

from __future__ import annotations

from agentshield.store.budget.holds import ENDED, EXPIRED, HELD, Ending, Held
from agentshield.store.budget.state import BatchState, Group


def end(state: BatchState, ending: Ending, overlay: dict[Held, str]) -> bool:
    """End the call; False when it had ended already."""
    held = ending.held
    was = overlay.get(held, held.state)
    if was == ENDED:
        return False
    assert held.lease is not None
    group = _group(state, held)
    returns = was == HELD and not held.lease.lapsed
    hold = held.amount_nanos if returns else 0
    if returns:
        group.held_nanos -= held.amount_nanos
        group.held_tokens -= held.tokens
    nanos = ending.actual_nanos if ending.charge else 0
    if ending.charge:
        group.used_nanos += nanos
        group.used_tokens += ending.actual_tokens
    wallet_id = group.targets.wallet_id
    if (nanos or hold) and wallet_id is not None and wallet_id in state.wallets.wallets:
        kind = "settle" if ending.charge else "release"
        state.wallets.move(
            wallet_id, kind, state.now, amount=-nanos, hold=-hold, trace_id=held.trace_id
        )
    overlay[held] = ENDED
    return True


def expire(state: BatchState, held: Held, overlay: dict[Held, str]) -> bool:
    """Return the hold of a call still going on; False when it had ended or expired."""
    if overlay.get(held, held.state) != HELD:
        return False
    assert held.lease is not None
    if not held.lease.lapsed:  # else the lease's sweep returned it already
        group = _group(state, held)
        group.held_nanos -= held.amount_nanos
        group.held_tokens -= held.tokens
        wallet_id = group.targets.wallet_id
        if wallet_id is not None and wallet_id in state.wallets.wallets:
            state.wallets.hold(wallet_id, -held.amount_nanos, state.now)
    overlay[held] = EXPIRED
    return True


def apply_endings(state: BatchState) -> None:
    for group in state.groups.values():
        group.apply(state, taken=True)
    state.groups.clear()


def _group(state: BatchState, held: Held) -> Group:
    """The batch's group for the calls held against the same targets under one lease."""
    targets, lease = held.targets, held.lease
    assert targets is not None and lease is not None  # a call that held nothing never ends
    key = (id(targets), id(lease))
    group = state.groups.get(key)
    if group is None:
        windows = [
            (state.windows.get((w.quota_id, w.start)), w.metric == "usd") for w in targets.windows
        ]
        group = Group(lease, targets, windows)
        state.groups[key] = group
    return group

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
from agentshield.store.budget.state import BatchState


def end(state: BatchState, ending: Ending, overlay: dict[Held, str]) -> bool:
    """End the call; False when it had ended already."""
    held = ending.held
    was = overlay.get(held, held.state)
    if was == ENDED:
        return False
    assert held.lease is not None
    returns = was == HELD and not held.lease.lapsed
    if ending.charge:
        _move(state, held, returns, ending.actual_nanos, ending.actual_tokens, "settle")
    else:
        _move(state, held, returns, 0, 0, "release")
    overlay[held] = ENDED
    return True


def expire(state: BatchState, held: Held, overlay: dict[Held, str]) -> bool:
    """Return the hold of a call still going on; False when it had ended or expired."""
    if overlay.get(held, held.state) != HELD:
        return False
    assert held.lease is not None
    if not held.lease.lapsed:  # else the lease's sweep returned it already
        _move(state, held, True, 0, 0, None)
    overlay[held] = EXPIRED
    return True


def _move(
    state: BatchState, held: Held, returns: bool, nanos: int, tokens: int, kind: str | None
) -> None:
    """Charge `nanos` and `tokens` to every limit the call held against, and return its
    hold there if `returns`. `kind` names the wallet's entry for the call; None: the hold
    joins the batch's one entry per wallet."""
    assert held.targets is not None
    deltas, lease = state.deltas, held.lease
    for window in held.targets.windows:
        usd = window.metric == "usd"
        used = nanos if usd else tokens
        hold = (held.amount_nanos if usd else held.tokens) if returns else 0
        found = state.windows.get((window.quota_id, window.start))
        if found is not None:  # None: the quota was removed since
            found.used += used
            found.reserved -= hold
            found.taken += used - hold
        if hold:
            key = (lease, "quota", window.usage_id)
            deltas[key] = deltas.get(key, 0) - hold
    wallet_id = held.targets.wallet_id
    if wallet_id is None:
        return
    hold = held.amount_nanos if returns else 0
    if hold:
        key = (lease, "wallet", wallet_id)
        deltas[key] = deltas.get(key, 0) - hold
    if wallet_id not in state.wallets.wallets:  # deleted since: nothing to return to
        return
    if kind is None:
        state.wallets.hold(wallet_id, -hold, state.now)
    elif nanos or hold:
        state.wallets.move(
            wallet_id, kind, state.now, amount=-nanos, hold=-hold, trace_id=held.trace_id
        )

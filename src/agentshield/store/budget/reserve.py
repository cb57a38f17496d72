"""Reserve: hold a call's maximum cost against every limit at once, or against none.

A batch (step.py) has read every quota window and wallet its calls need; each call is then
decided in turn against what the calls before it took: refused by any limit, it holds
nothing anywhere. What a call holds is added to the windows' and wallet's reserved sums,
and to its process's lease, and is kept in the call's `Held`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from agentshield.engines.budget import Refusal, bounds_on, local_day
from agentshield.store.budget.holds import Held, HoldRequest, Lease, Targets, Window
from agentshield.store.budget.limits import QuotaLimit, WalletLimit
from agentshield.store.budget.quota_windows import WindowKey, WindowState
from agentshield.store.budget.state import BatchState

# A request's quotas with their current windows: (quota, window start, window end).
Bounds = list[tuple[QuotaLimit, datetime, datetime]]


class LimitsChanged(Exception):
    """A quota or wallet the caller's limits named is gone: load them again."""


def check_amounts(amount_nanos: int, tokens: int) -> None:
    if amount_nanos < 0 or tokens < 0:
        raise ValueError("a reservation cannot be negative")


def bounds_of(requests: Sequence[HoldRequest]) -> list[Bounds]:
    """Each request's quotas and their current windows: worked out once for the requests
    with the same limits on the same day, as most of a batch's are."""
    known: dict[tuple[int, date], Bounds] = {}
    found = []
    for request in requests:
        day, zone = local_day(request.now, request.limits.time_zone)
        key = (id(request.limits), day)  # the limits live as long as the request
        bounds = known.get(key)
        if bounds is None:
            quotas = request.limits.quotas
            bounds = known[key] = [(q, *bounds_on(q.period, day, zone)) for q in quotas]
        found.append(bounds)
    return found


def hold(
    state: BatchState, request: HoldRequest, bounds: Bounds, lease: Lease
) -> Held | Refusal | Exception:
    """Hold for one request, or say why not."""
    try:
        check_amounts(request.amount_nanos, request.tokens)
    except ValueError as refused:
        return refused
    windows = []
    for quota, start, end in bounds:
        window = state.windows[(quota.id, start)]
        if window is None:
            return LimitsChanged(f"quota {quota.id} is gone")
        amount = request.amount_nanos if quota.metric == "usd" else request.tokens
        if window.taken + amount > window.limit:
            return _quota_refusal(quota, window, amount, end)
        windows.append((window, amount))
    wallet = request.limits.wallet
    if wallet is not None:
        moves = state.wallets.wallets.get(wallet.id)
        if moves is None:
            return LimitsChanged(f"wallet {wallet.id} is gone")
        if not moves.can_hold(request.amount_nanos):
            return _wallet_refusal(wallet, moves.spendable, moves.overdraft, request)
    deltas = state.deltas
    for window, amount in windows:
        window.taken += amount
        window.reserved += amount
        key = (lease, "quota", window.usage_id)
        deltas[key] = deltas.get(key, 0) + amount
    if wallet is not None:
        state.wallets.hold(wallet.id, request.amount_nanos, request.now)
        key = (lease, "wallet", wallet.id)
        deltas[key] = deltas.get(key, 0) + request.amount_nanos
    return Held(
        _targets(state, request, bounds),
        request.amount_nanos,
        request.tokens,
        request.trace_id,
        lease,
    )


def window_keys(bounds: Sequence[Bounds]) -> set[WindowKey]:
    return {(quota.id, start) for found in bounds for quota, start, _ in found}


def _targets(state: BatchState, request: HoldRequest, bounds: Bounds) -> Targets:
    """One object for the calls of the batch with the same limits on the same day (which
    share their `bounds`)."""
    key = id(bounds)
    found = state.targets.get(key)
    if found is None:
        windows = []
        for quota, start, _ in bounds:
            window = state.windows[(quota.id, start)]
            assert window is not None  # checked by `hold`
            windows.append(Window(quota.id, start, window.usage_id, quota.metric))
        wallet = request.limits.wallet
        found = Targets(request.tenant_id, tuple(windows), wallet and wallet.id)
        state.targets[key] = found
    return found


def _quota_refusal(quota: QuotaLimit, window: WindowState, amount: int, end: datetime) -> Refusal:
    return Refusal(
        kind="quota",
        scope=quota.scope,
        scope_id=quota.scope_id,
        metric=quota.metric,
        limit=window.limit,
        left=max(0, window.limit - window.taken),
        asked=amount,
        period=quota.period,
        resets_at=end,
    )


def _wallet_refusal(
    wallet: WalletLimit, spendable: int, overdraft: int, request: HoldRequest
) -> Refusal:
    return Refusal(
        kind="wallet",
        scope=wallet.owner_scope,
        scope_id=wallet.owner_id,
        metric="usd",
        limit=overdraft,
        left=max(0, spendable),
        asked=request.amount_nanos,
    )

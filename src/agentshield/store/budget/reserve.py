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
from agentshield.store.budget.state import BatchState, Group

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
    nanos, tokens = request.amount_nanos, request.tokens
    try:
        check_amounts(nanos, tokens)
    except ValueError as refused:
        return refused
    key = (id(bounds), id(lease))
    group = state.groups.get(key)
    if group is None:
        group = state.groups[key] = _group(state, request, bounds, lease)
    if group.gone:
        return LimitsChanged(group.gone)
    for (window, usd), (quota, _, end) in zip(group.windows, bounds, strict=True):
        assert window is not None  # else the group is `gone`
        amount = nanos if usd else tokens
        if window.taken + amount > window.limit:
            return _quota_refusal(quota, window, amount, end)
    wallet_id = group.targets.wallet_id
    if wallet_id is not None:
        wallet = state.wallets.wallets[wallet_id]
        if not wallet.can_hold(nanos):
            assert request.limits.wallet is not None
            return _wallet_refusal(request.limits.wallet, wallet.spendable, wallet.overdraft, nanos)
        state.wallets.hold(wallet_id, nanos, request.now)
    for window, usd in group.windows:
        window.taken += nanos if usd else tokens  # type: ignore[union-attr]
    group.held_nanos += nanos
    group.held_tokens += tokens
    return Held(group.targets, nanos, tokens, request.trace_id, lease)


def apply_holds(state: BatchState) -> None:
    for group in state.groups.values():
        if not group.gone:  # a group gone held nothing
            group.apply(state, taken=False)  # each hold added to `taken` already
    state.groups.clear()


def window_keys(bounds: Sequence[Bounds]) -> set[WindowKey]:
    distinct = {id(found): found for found in bounds}.values()  # most requests share one
    return {(quota.id, start) for found in distinct for quota, start, _ in found}


def _group(state: BatchState, request: HoldRequest, bounds: Bounds, lease: Lease) -> Group:
    """The batch's group for the requests with the same limits on the same day (which
    share their `bounds`), under the same lease."""
    windows, gone = [], ""
    for quota, start, _ in bounds:
        window = state.windows[(quota.id, start)]
        windows.append((window, quota.metric == "usd"))
        if window is None:
            gone = f"quota {quota.id} is gone"
    wallet = request.limits.wallet
    wallet_id = wallet and wallet.id
    if wallet_id is not None and wallet_id not in state.wallets.wallets:
        gone = f"wallet {wallet_id} is gone"
    targets = Targets(
        tuple(
            Window(quota.id, start, window.usage_id, quota.metric)
            for (quota, start, _), (window, _) in zip(bounds, windows, strict=True)
            if window is not None
        ),
        wallet_id,
    )
    return Group(lease, targets, windows, gone)


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


def _wallet_refusal(wallet: WalletLimit, spendable: int, overdraft: int, asked: int) -> Refusal:
    return Refusal(
        kind="wallet",
        scope=wallet.owner_scope,
        scope_id=wallet.owner_id,
        metric="usd",
        limit=overdraft,
        left=max(0, spendable),
        asked=asked,
    )

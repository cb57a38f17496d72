"""Reserve: hold a call's maximum cost against every limit at once, or against none.

`hold_many` reserves for many calls in one transaction (the gateway batches concurrent
calls, see store/group_commit.py): it reads each quota window and wallet involved once (on
PostgreSQL locking them, quotas then wallets, each in id order, so transactions never
deadlock), decides each call in turn against what the calls before it took, and writes
each row once. A call refused by any limit holds nothing anywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.budget import Refusal, bounds_on, local_day
from agentshield.engines.identity import Caller
from agentshield.engines.ids import uuid7
from agentshield.store.budget.ledger import WalletMoves
from agentshield.store.budget.limits import Limits, QuotaLimit, WalletLimit, find_limits
from agentshield.store.sql import Sql, as_uuid, in_session

# After this a held reservation is taken for dead (its process killed) and released.
DEFAULT_TTL = timedelta(minutes=15)

_USAGE = """
SELECT u.id, u.used + u.reserved, q.limit_amount
FROM quota_usage u JOIN quotas q ON q.id = u.quota_id
WHERE u.quota_id = :quota_id AND u.window_start = :start
"""
_QUOTA_EXISTS = "SELECT 1 FROM quotas WHERE id = :quota_id"
# The window's first call opens it; another transaction may race us to it.
_OPEN_WINDOW = """
INSERT INTO quota_usage (id, quota_id, window_start, used, reserved)
VALUES (:id, :quota_id, :start, 0, 0)
ON CONFLICT (quota_id, window_start) DO NOTHING
"""
_HOLD_USAGE = "UPDATE quota_usage SET reserved = reserved + :amount WHERE id = :id"
_RESERVATION = """
INSERT INTO reservations (id, tenant_id, trace_id, amount_nanos, tokens, targets, status,
    created_at, expires_at)
VALUES (:id, :tenant_id, :trace_id, :amount, :tokens, :targets, 'held', :now, :expires)
"""


@dataclass(slots=True)  # not frozen: made for every call, and frozen ones are made 4x slower
class Held:
    """A reservation made; `reservation_id` None when no limit applies (nothing held).

    `targets` is what it holds, as its row records it: handed back to `end_many`, it spares
    the settle reading and parsing the row's copy."""

    reservation_id: uuid.UUID | None
    targets: tuple[dict[str, Any], ...] = ()


@dataclass(slots=True)  # not frozen, as Held
class HoldRequest:
    limits: Limits  # not `none`
    tenant_id: uuid.UUID
    amount_nanos: int
    tokens: int
    now: datetime
    trace_id: str = ""
    ttl: timedelta = DEFAULT_TTL


class LimitsChanged(Exception):
    """A quota or wallet the caller's limits named is gone: load them again."""


@dataclass(slots=True)
class _Window:
    usage_id: uuid.UUID
    taken: int  # used + reserved
    limit: int
    target: dict[str, str]  # what a reservation records of it, less the amount
    held: int = 0  # reserved by this transaction


async def reserve(
    session: AsyncSession,
    caller: Caller,
    amount_nanos: int,
    tokens: int,
    now: datetime,
    *,
    trace_id: str = "",
    ttl: timedelta = DEFAULT_TTL,
) -> Held | Refusal:
    """Runs in the caller's transaction; commit it to make the hold count for others."""
    check_amounts(amount_nanos, tokens)
    limits = await find_limits(session, caller)
    if limits.none:  # no budget set: never refused, nothing to settle
        return Held(None)
    request = HoldRequest(limits, caller.tenant_id, amount_nanos, tokens, now, trace_id, ttl)
    (outcome,) = await in_session(session, hold_many, [request])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def check_amounts(amount_nanos: int, tokens: int) -> None:
    if amount_nanos < 0 or tokens < 0:
        raise ValueError("a reservation cannot be negative")


def hold_many(sql: Sql, requests: Sequence[HoldRequest]) -> list[Held | Refusal | Exception]:
    """Reserve for each request, in order. A request whose limits are gone gets
    `LimitsChanged`, a negative one ValueError: returned, not raised, so the others go on."""
    bounds = _bounds(requests)
    windows = _read_windows(sql, bounds)
    wallets = WalletMoves(
        sql, (r.limits.wallet.id for r in requests if r.limits.wallet is not None)
    )
    outcomes: list[Held | Refusal | Exception] = []
    reservations: list[dict[str, object]] = []
    for request, quotas in zip(requests, bounds, strict=True):
        try:
            check_amounts(request.amount_nanos, request.tokens)
        except ValueError as refused:
            outcomes.append(refused)
            continue
        outcome = _decide(request, quotas, windows, wallets)
        if isinstance(outcome, list):
            outcome = _take(request, outcome, wallets, reservations)
        outcomes.append(outcome)
    # One statement for all (on PostgreSQL one round trip), in the order they were locked.
    held = [w for w in windows.values() if w is not None and w.held]
    sql.many(_HOLD_USAGE, [{"amount": w.held, "id": w.usage_id} for w in held])
    wallets.write()
    sql.many(_RESERVATION, reservations)
    return outcomes


WindowKey = tuple[uuid.UUID, datetime]  # quota id, window start
Bounds = list[tuple[QuotaLimit, datetime, datetime]]  # a request's quotas and their windows


def _bounds(requests: Sequence[HoldRequest]) -> list[Bounds]:
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


def _read_windows(sql: Sql, bounds: list[Bounds]) -> dict[WindowKey, _Window | None]:
    """Each quota window the requests need, opened if new; None for a quota that is gone."""
    keys = {(quota.id, start) for quotas in bounds for quota, start, _ in quotas}
    read = _USAGE + (" FOR UPDATE OF u" if sql.locks_rows else "")
    windows: dict[WindowKey, _Window | None] = {}
    for quota_id, start in sorted(keys):
        params = {"quota_id": quota_id, "start": start}
        rows = sql.rows(read, params)
        if not rows:
            if not sql.rows(_QUOTA_EXISTS, params):
                windows[(quota_id, start)] = None
                continue
            sql.run(_OPEN_WINDOW, {"id": uuid7(), **params})
            rows = sql.rows(read, params)
        usage_id, taken, limit = rows[0]
        usage_id = as_uuid(usage_id)
        target = {"kind": "quota", "id": str(usage_id), "quota_id": str(quota_id)}
        windows[(quota_id, start)] = _Window(usage_id, taken, limit, target)
    return windows


def _decide(
    request: HoldRequest,
    quotas: Bounds,
    windows: dict[WindowKey, _Window | None],
    wallets: WalletMoves,
) -> list[tuple[QuotaLimit, _Window, int]] | Refusal | Exception:
    """The quota windows the request would take and how much of each, or why not."""
    takes = []
    for quota, start, end in quotas:
        window = windows[(quota.id, start)]
        if window is None:
            return LimitsChanged(f"quota {quota.id} is gone")
        amount = request.amount_nanos if quota.metric == "usd" else request.tokens
        if window.taken + amount > window.limit:
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
        takes.append((quota, window, amount))
    wallet = request.limits.wallet
    if wallet is not None:
        state = wallets.wallets.get(wallet.id)
        if state is None:
            return LimitsChanged(f"wallet {wallet.id} is gone")
        if not state.can_hold(request.amount_nanos):
            return _wallet_refusal(wallet, state.spendable, state.overdraft, request)
    return takes


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


def _take(
    request: HoldRequest,
    takes: list[tuple[QuotaLimit, _Window, int]],
    wallets: WalletMoves,
    reservations: list[dict[str, object]],
) -> Held:
    reservation_id = uuid7()
    targets: list[dict[str, Any]] = []
    for quota, window, amount in takes:
        window.taken += amount
        window.held += amount
        targets.append({**window.target, "metric": quota.metric, "amount": amount})
    wallet = request.limits.wallet
    if wallet is not None:
        amount = request.amount_nanos
        wallets.move(wallet.id, "reserve", request.now, hold=amount, reservation_id=reservation_id)
        targets.append({"kind": "wallet", "id": str(wallet.id), "metric": "usd", "amount": amount})
    reservations.append(
        {
            "id": reservation_id,
            "tenant_id": request.tenant_id,
            "trace_id": request.trace_id,
            "amount": request.amount_nanos,
            "tokens": request.tokens,
            "targets": targets,
            "now": request.now,
            "expires": request.now + request.ttl,
        }
    )
    return Held(reservation_id, tuple(targets))

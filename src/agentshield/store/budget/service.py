"""Budgets for the request path: reserve before a call, settle after it, each in a short
transaction shared with the process's other calls (store/group_commit.py); a cache of the
limits' definitions, so a call reads nothing before it reserves and a caller without limits
costs no transaction; and a sweeper.

A call's hold is kept here, in the process that made it (`Held`), and summed in the
process's lease in the database (lease.py). The sweeper, every `sweep_every` seconds,
renews the lease, returns the holds of this process's calls still going on after `ttl`
(a call cancelled before it could settle, say: a later settle still charges), and returns
the holds of other processes' leases that lapsed (their process died). A call's state
changes only once the batch that decided it has committed, in the callbacks below, which
the group commit calls before it starts the next batch.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy.exc import SQLAlchemyError

from agentshield.engines.budget import Refusal
from agentshield.engines.identity import Caller
from agentshield.store.budget.cache import LimitCache
from agentshield.store.budget.holds import (
    ENDED,
    EXPIRED,
    NOTHING_HELD,
    Ending,
    Expiry,
    Held,
    HoldRequest,
    Leases,
)
from agentshield.store.budget.lease import retire_step, sweep_step
from agentshield.store.budget.reserve import LimitsChanged
from agentshield.store.budget.step import budget_step
from agentshield.store.db import Database
from agentshield.store.group_commit import GroupCommit

# A call still holding after this has its hold returned by its own process.
DEFAULT_TTL = timedelta(minutes=15)
# A process that stops renewing its lease for this long is taken for dead.
DEFAULT_LEASE_TTL = timedelta(minutes=5)

log = logging.getLogger("agentshield.store")


class Budgets:
    def __init__(
        self,
        db: Database,
        commits: GroupCommit | None = None,
        ttl: timedelta = DEFAULT_TTL,
        sweep_every: float = 60.0,
        limits_ttl: float = 5.0,
        lease_ttl: timedelta = DEFAULT_LEASE_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._ttl = ttl.total_seconds()
        self._clock = clock  # the time windows and the ledger see
        self._sweep_every = sweep_every
        self._sweeper: asyncio.Task[None] | None = None
        self._limits = LimitCache(db, limits_ttl)
        self._leases = Leases(f"{socket.gethostname()}:{os.getpid()}", lease_ttl)
        # Calls holding, oldest first (so by deadline): what the sweeper looks through.
        self._holding: dict[Held, None] = {}
        # One the process shares (the server passes it, and closes it), or one of its own.
        self._own_commits = commits is None
        self._commits = commits or GroupCommit(db)

    @property
    def leases(self) -> Leases:
        """This process's lease (`leases.current` has a row once a call held under it)."""
        return self._leases

    def limits_changed(self, tenant_id: uuid.UUID) -> None:
        """A quota or wallet of the tenant was set, changed or removed (call after commit)."""
        self._limits.forget(tenant_id)

    async def reserve(
        self, caller: Caller, estimate: Callable[[], tuple[int, int]], trace_id: str
    ) -> Held | Refusal:
        """Hold `estimate()` (nano-dollars, tokens), called only when a limit applies: a
        caller without limits costs neither the estimate nor a transaction."""
        try:
            return await self._hold(caller, estimate, trace_id)
        except LimitsChanged:  # a quota or wallet went since the cache loaded: reload once
            self._limits.forget(caller.tenant_id)
            return await self._hold(caller, estimate, trace_id)

    async def _hold(
        self, caller: Caller, estimate: Callable[[], tuple[int, int]], trace_id: str
    ) -> Held | Refusal:
        limits = await self._limits.limits(caller)
        if limits.none:
            return NOTHING_HELD
        amount_nanos, tokens = estimate()  # the step refuses a negative one
        request = HoldRequest(self._leases, limits, amount_nanos, tokens, self._clock(), trace_id)
        return await self._commits.run(budget_step, request, self._held)

    def _held(self, outcome: object) -> None:
        if isinstance(outcome, Held):  # even if its caller has gone: the sweeper returns it
            outcome.deadline = time.monotonic() + self._ttl
            self._holding[outcome] = None

    async def settle(self, held: Held, actual_nanos: int, tokens: int) -> bool:
        """Charge the actual cost and return the hold; False when the call had ended."""
        return await self._end(held, True, actual_nanos, tokens)

    async def release(self, held: Held) -> bool:
        """Return the whole hold (the call cost nothing); False when it had ended."""
        return await self._end(held, False, 0, 0)

    async def _end(self, held: Held, charge: bool, actual_nanos: int, tokens: int) -> bool:
        if held.targets is None:
            raise ValueError("nothing was held")
        if actual_nanos < 0 or tokens < 0:
            raise ValueError("an actual cost cannot be negative")
        if held.state == ENDED:
            return False
        ending = Ending(self._leases, held, self._clock(), charge, actual_nanos, tokens)
        ended: bool = await self._commits.run(budget_step, ending, partial(self._ended, held))
        return ended

    def _ended(self, held: Held, outcome: object) -> None:
        if outcome is True:
            held.state = ENDED
            self._holding.pop(held, None)

    async def expire_overdue(self) -> int:
        """Return the holds of this process's calls held past the TTL, and renew the lease;
        how many calls."""
        now = time.monotonic()
        overdue = list(itertools.takewhile(lambda held: held.deadline <= now, self._holding))
        if not overdue and not self._leases.current.written:
            return 0  # nothing to return, and no lease to renew
        expiry = Expiry(self._leases, overdue, self._clock())
        expired: list[Held] = await self._commits.run(budget_step, expiry, self._expired)
        return len(expired)

    def _expired(self, outcome: object) -> None:
        for held in outcome if isinstance(outcome, list) else ():
            held.state = EXPIRED
            self._holding.pop(held, None)

    async def sweep_lapsed(self) -> int:
        """Return what the leases of dead processes hold; how many leases."""
        swept: int = await self._commits.run(sweep_step, self._clock())
        return swept

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        if self._leases.current.written and not self._holding:
            try:  # nothing in flight: the lease's row goes now rather than lapse
                await self._commits.run(retire_step, self._leases.current)
            except SQLAlchemyError as exc:
                log.warning("retiring the budget lease failed: %s", type(exc).__name__)
        if self._own_commits:
            await self._commits.close()

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_every)
            try:
                expired = await self.expire_overdue()
                lapsed = await self.sweep_lapsed()
            except SQLAlchemyError as exc:  # the next sweep tries again
                log.error("sweeping budget holds failed: %s", type(exc).__name__)
                continue
            if expired:
                log.warning("returned the holds of %d call(s) that never ended", expired)
            if lapsed:
                log.warning("returned the holds of %d lapsed lease(s) of stopped processes", lapsed)

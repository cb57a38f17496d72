"""Budgets for the request path: each step in its own short transaction, a cache of the
limits' definitions (so a call reads nothing before it reserves, and a caller without
limits costs no transaction), and a sweeper that returns the holds of reservations whose
process died (they expire).

Concurrent calls reserve and settle together, in one transaction (store/group_commit.py).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from agentshield.engines.budget import Refusal
from agentshield.engines.identity import Caller
from agentshield.store.budget.cache import LimitCache
from agentshield.store.budget.reserve import (
    DEFAULT_TTL,
    Held,
    HoldRequest,
    LimitsChanged,
    hold_many,
)
from agentshield.store.budget.settle import Ending, end_many, expire_step
from agentshield.store.db import Database
from agentshield.store.group_commit import GroupCommit
from agentshield.store.sql import in_session

log = logging.getLogger("agentshield.store")


class Budgets:
    def __init__(
        self,
        db: Database,
        commits: GroupCommit | None = None,
        ttl: timedelta = DEFAULT_TTL,
        sweep_every: float = 60.0,
        limits_ttl: float = 5.0,
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._sweep_every = sweep_every
        self._sweeper: asyncio.Task[None] | None = None
        self._limits = LimitCache(db, limits_ttl)
        # One the process shares (the server passes it, and closes it), or one of its own.
        self._own_commits = commits is None
        self._commits = commits or GroupCommit(db)

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
            return Held(None)
        amount_nanos, tokens = estimate()  # hold_many refuses a negative one
        request = HoldRequest(
            limits, caller.tenant_id, amount_nanos, tokens, _now(), trace_id, self._ttl
        )
        return await self._commits.run(hold_many, request)

    async def settle(self, held: Held, actual_nanos: int, tokens: int) -> bool:
        return await self._end(held, True, actual_nanos, tokens)

    async def release(self, held: Held) -> bool:
        return await self._end(held, False, 0, 0)

    async def _end(self, held: Held, charge: bool, actual_nanos: int, tokens: int) -> bool:
        if held.reservation_id is None:
            raise ValueError("nothing was held")
        ending = Ending(held.reservation_id, _now(), charge, actual_nanos, tokens, held.targets)
        return await self._commits.run(end_many, ending)

    async def expire_stale(self) -> int:
        async with self._db.transaction() as session:
            return await in_session(session, expire_step, _now())

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        if self._own_commits:
            await self._commits.close()

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_every)
            try:
                expired = await self.expire_stale()
            except SQLAlchemyError as exc:  # the next sweep tries again
                log.error("expiring stale reservations failed: %s", type(exc).__name__)
                continue
            if expired:
                log.warning("released %d reservation(s) of calls that never ended", expired)


def _now() -> datetime:
    return datetime.now(UTC)

"""Budgets for the request path: each step in its own short transaction, a cache that
spares callers without limits any transaction, and a sweeper that returns the holds of
reservations whose process died (they expire)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from agentshield.engines.budget import Refusal
from agentshield.engines.identity import Caller
from agentshield.store.budget.owners import LimitOwners
from agentshield.store.budget.reserve import DEFAULT_TTL, Held, reserve
from agentshield.store.budget.settle import expire_stale, release, settle
from agentshield.store.db import Database

log = logging.getLogger("agentshield.store")


class Budgets:
    def __init__(
        self,
        db: Database,
        ttl: timedelta = DEFAULT_TTL,
        sweep_every: float = 60.0,
        limits_ttl: float = 5.0,
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._sweep_every = sweep_every
        self._sweeper: asyncio.Task[None] | None = None
        self._owners = LimitOwners(db, limits_ttl)

    def limits_changed(self, tenant_id: uuid.UUID) -> None:
        """A quota or wallet of the tenant was set, changed or removed (call after commit)."""
        self._owners.forget(tenant_id)

    async def reserve(
        self, caller: Caller, amount_nanos: int, tokens: int, trace_id: str
    ) -> Held | Refusal:
        if not await self._owners.any_for(caller):
            return Held(None)
        async with self._db.transaction() as session:
            return await reserve(
                session, caller, amount_nanos, tokens, _now(), trace_id=trace_id, ttl=self._ttl
            )

    async def settle(self, reservation_id: uuid.UUID, actual_nanos: int, tokens: int) -> bool:
        async with self._db.transaction() as session:
            return await settle(session, reservation_id, actual_nanos, tokens, _now())

    async def release(self, reservation_id: uuid.UUID) -> bool:
        async with self._db.transaction() as session:
            return await release(session, reservation_id, _now())

    async def expire_stale(self) -> int:
        async with self._db.transaction() as session:
            return await expire_stale(session, _now())

    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)

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

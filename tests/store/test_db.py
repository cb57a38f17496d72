"""The database handle: reads never wait for a writer, and writers queue rather than fail."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from agentshield.store import tenancy
from agentshield.store.db import Database
from agentshield.store.models import Tenant


async def test_a_read_completes_while_a_transaction_holds_the_write_lock(db: Database) -> None:
    async def count() -> int:
        async with db.read() as session:
            return int(await session.scalar(select(func.count()).select_from(Tenant)) or 0)

    before = await count()
    async with db.transaction() as session:
        await tenancy.signup(session, tenant_name="Held open", owner_email="o@db.test")
        await session.flush()
        # The transaction holds the write lock until this block ends: a read that waited
        # for it would never finish.
        assert await asyncio.wait_for(count(), timeout=5) == before
    assert await count() == before + 1


async def test_concurrent_writers_all_commit(db: Database) -> None:
    async def sign_up(i: int) -> None:
        async with db.transaction() as session:
            await tenancy.signup(session, tenant_name=f"Queue {i}", owner_email="o@db.test")
            await asyncio.sleep(0.01)  # hold the lock a while, as a slow transaction does

    async with db.read() as session:
        before = int(await session.scalar(select(func.count()).select_from(Tenant)) or 0)
    await asyncio.gather(*(sign_up(i) for i in range(40)))
    async with db.read() as session:
        after = int(await session.scalar(select(func.count()).select_from(Tenant)) or 0)
    assert after == before + 40

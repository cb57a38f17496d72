"""Group commit: concurrent calls share a transaction, and each fails alone."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from agentshield.store.db import Database
from agentshield.store.group_commit import GroupCommit, last
from agentshield.store.models import OutboxEvent
from agentshield.store.outbox import insert_event
from agentshield.store.sql import Sql
from support.budget import NOW, new_payer

Step = Callable[[Sql, Sequence[int]], list[int | Exception]]


def _record(tenant_id: uuid.UUID, calls: list[int]) -> Step:
    """A step that writes one event per item and answers the item doubled; an item below
    zero is refused alone, as a step refuses one call."""

    def step(sql: Sql, items: Sequence[int]) -> list[int | Exception]:
        calls.append(len(items))
        outcomes: list[int | Exception] = []
        for item in items:
            if item < 0:
                outcomes.append(ValueError(f"refused {item}"))
                continue
            insert_event(sql, tenant_id, "test.item", {"item": item}, NOW)
            outcomes.append(2 * item)
        return outcomes

    return step


def _failing(sql: Sql, items: Sequence[int]) -> list[int]:
    insert_event(sql, uuid.uuid4(), "test.orphan", {}, NOW)  # no such tenant: the step fails
    return list(items)


async def _items(db: Database, tenant_id: uuid.UUID) -> list[int]:
    async with db.read() as session:
        rows = await session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.tenant_id == tenant_id)
        )
        return sorted(payload["item"] for payload in rows)


async def test_concurrent_calls_share_one_transaction(db: Database) -> None:
    payer = await new_payer(db)
    commits = GroupCommit(db)
    calls: list[int] = []
    step = _record(payer.tenant_id, calls)
    try:
        results = await asyncio.gather(*(commits.run(step, i) for i in range(50)))
    finally:
        await commits.close()
    assert results == [2 * i for i in range(50)]
    assert calls == [50]  # queued together, so taken together
    assert await _items(db, payer.tenant_id) == list(range(50))


async def test_an_item_refused_fails_its_call_only(db: Database) -> None:
    payer = await new_payer(db)
    commits = GroupCommit(db)
    step = _record(payer.tenant_id, [])
    try:
        results = await asyncio.gather(
            *(commits.run(step, i) for i in (1, -1, 2)), return_exceptions=True
        )
    finally:
        await commits.close()
    assert results[0] == 2 and results[2] == 4
    assert isinstance(results[1], ValueError)
    assert await _items(db, payer.tenant_id) == [1, 2]


async def test_a_failing_step_rolls_back_alone(db: Database) -> None:
    payer = await new_payer(db)
    commits = GroupCommit(db)
    step = _record(payer.tenant_id, [])
    try:
        results = await asyncio.gather(
            commits.run(step, 1),
            commits.run(_failing, 7),
            commits.run(step, 2),
            return_exceptions=True,
        )
    finally:
        await commits.close()
    assert results[0] == 2 and results[2] == 4
    assert isinstance(results[1], Exception)  # the foreign key refused the orphan event
    assert await _items(db, payer.tenant_id) == [1, 2]
    async with db.read() as session:
        orphans = await session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.kind == "test.orphan")
        )
        assert orphans.all() == []


async def test_a_call_cancelled_before_its_batch_is_dropped(db: Database) -> None:
    payer = await new_payer(db)
    commits = GroupCommit(db)
    step = _record(payer.tenant_id, [])
    try:
        first = asyncio.ensure_future(commits.run(step, 1))
        dropped = asyncio.ensure_future(commits.run(step, 2))
        await asyncio.sleep(0)  # both queued, the batch not started yet
        dropped.cancel()
        assert await first == 2
        with pytest.raises(asyncio.CancelledError):
            await dropped
    finally:
        await commits.close()
    assert await _items(db, payer.tenant_id) == [1]


async def test_finish_gets_each_outcome_even_when_its_caller_left_mid_batch(
    db: Database,
) -> None:
    payer = await new_payer(db)
    commits = GroupCommit(db)
    record = _record(payer.tenant_id, [])
    finished: list[object] = []
    caller: asyncio.Future[int] | None = None

    def leaving(sql: Sql, items: Sequence[int]) -> list[int | Exception]:
        assert caller is not None
        caller.cancel()  # the client goes while its batch runs
        return record(sql, items)

    try:
        caller = asyncio.ensure_future(commits.run(leaving, 3, finished.append))
        with pytest.raises(asyncio.CancelledError):
            await caller
        with pytest.raises(ValueError, match="refused -1"):
            await commits.run(record, -1, finished.append)
        with pytest.raises(DBAPIError):
            await commits.run(_failing, 5, finished.append)
    finally:
        await commits.close()
    assert finished[0] == 6  # committed: what the step answered, though nobody waited
    assert isinstance(finished[1], ValueError)  # refused alone
    assert isinstance(finished[2], DBAPIError)  # the transaction failed
    assert await _items(db, payer.tenant_id) == [3]


async def test_another_process_holding_the_sqlite_lock_is_waited_for_with_the_loop_free(
    sqlite_url: str,
) -> None:
    db = Database(sqlite_url)
    payer = await new_payer(db)
    commits = GroupCommit(db)
    other = sqlite3.connect(str(db.sqlite_file), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # as a CLI command's transaction would
        call = asyncio.ensure_future(commits.run(_record(payer.tenant_id, []), 1))
        ticks = 0
        while ticks < 20:  # the loop keeps running while the call waits
            await asyncio.sleep(0.005)
            ticks += 1
        assert not call.done()
        other.execute("COMMIT")
        assert await asyncio.wait_for(call, 5) == 2
        assert await _items(db, payer.tenant_id) == [1]
    finally:
        other.close()
        await commits.close()
        await db.dispose()


async def test_a_kept_postgresql_connection_that_died_is_replaced_and_the_batch_run_again(
    postgres_url: str,
) -> None:
    db = Database(postgres_url)
    commits = GroupCommit(db)

    def backend(sql: Sql, items: Sequence[int]) -> list[int]:
        (row,) = sql.rows("SELECT pg_backend_pid()", {})
        return [int(row[0])] * len(items)

    try:
        payer = await new_payer(db)
        first = await commits.run(backend, 0)
        async with db.transaction() as session:  # the server drops the batches' connection
            await session.execute(select(func.pg_terminate_backend(first)))
        assert await commits.run(_record(payer.tenant_id, []), 4) == 8
        assert await commits.run(backend, 0) != first
    finally:
        await commits.close()
        await db.dispose()
    assert await _items_of(postgres_url, payer.tenant_id) == [4]


async def _items_of(url: str, tenant_id: uuid.UUID) -> list[int]:
    db = Database(url)
    try:
        return await _items(db, tenant_id)
    finally:
        await db.dispose()


async def test_a_step_marked_last_runs_after_the_others_of_its_batch(db: Database) -> None:
    # The audit append takes a tenant's chain lock: run first, it held that lock while a
    # later step waited for a row an admin transaction had locked before appending its own
    # event, and PostgreSQL broke the deadlock by failing the admin's call.
    ran: list[str] = []

    def first(sql: Sql, items: Sequence[int]) -> list[int]:
        ran.append("first")
        return list(items)

    def chain(sql: Sql, items: Sequence[int]) -> list[int]:
        ran.append("chain")
        return list(items)

    commits = GroupCommit(db)
    try:
        done = await asyncio.gather(commits.run(last(chain), 1), commits.run(first, 2))
    finally:
        await commits.close()
    assert done == [1, 2]
    assert ran == ["first", "chain"]

"""Batched usage writers on SQLite and PostgreSQL: requests rows, audit events, last_used."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from agentshield.engines.ids import uuid7
from agentshield.store import audit, tenancy
from agentshield.store.audit import AuditEvent
from agentshield.store.db import Database
from agentshield.store.group_commit import GroupCommit
from agentshield.store.models import ApiKey, RequestRecord, utcnow
from agentshield.store.usage import (
    AuditLog,
    KeyUsage,
    RequestLog,
    insert_requests,
    request_row,
)


@pytest.fixture
async def commits(db: Database) -> AsyncIterator[GroupCommit]:
    group = GroupCommit(db)
    yield group
    await group.close()


def row(tenant: uuid.UUID, **extra: object) -> dict[str, object]:
    return {
        "tenant_id": tenant,
        "trace_id": uuid.uuid4().hex,
        "endpoint": "chat.completions",
        "model": "gpt-4o-mini",
        "prompt_tokens": 12,
        "completion_tokens": 5,
        "cost_nanos": 4_800,
        "status_code": 200,
        "decision": "allow",
        **extra,
    }


async def request_rows(db: Database, tenant: uuid.UUID) -> list[RequestRecord]:
    async with db.sessions() as s:
        return list(await s.scalars(select(RequestRecord).where(RequestRecord.tenant_id == tenant)))


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements sent to the database while inside (executemany counts once)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def test_request_rows_land_after_close_stamped_when_queued(
    db: Database, commits: GroupCommit
) -> None:
    tenant = uuid7()
    log = RequestLog(commits, batch_size=100, flush_interval=3600)
    log.start()
    for i in range(3):
        assert log.put(row(tenant, latency_ms=float(i)))
    await asyncio.sleep(0.02)
    queued_before = utcnow()
    assert await request_rows(db, tenant) == []  # nothing written on the caller's path
    await log.close()
    rows = await request_rows(db, tenant)
    assert sorted(r.latency_ms for r in rows) == [0.0, 1.0, 2.0]
    assert all(r.created_at < queued_before for r in rows)
    assert all((r.stream, r.cost_nanos, r.decision) == (False, 4_800, "allow") for r in rows)


async def test_an_over_long_model_name_does_not_block_the_log(
    db: Database, commits: GroupCommit
) -> None:
    tenant = uuid7()
    log = RequestLog(commits)
    log.put(row(tenant, model="m" * 500))  # a client's name; PostgreSQL refuses > 200
    log.put(row(tenant))
    await log.close()
    assert sorted(len(r.model or "") for r in await request_rows(db, tenant)) == [11, 200]


async def test_insert_requests_is_one_statement_however_many_rows(db: Database) -> None:
    tenant = uuid7()
    with statements(db) as sent:
        async with db.transaction() as s:
            await insert_requests(s, [row(tenant) for _ in range(2_500)])
    assert len([q for q in sent if q.startswith("INSERT INTO requests")]) == 1
    async with db.sessions() as s:
        count = await s.scalar(
            select(func.count()).select_from(RequestRecord).where(RequestRecord.tenant_id == tenant)
        )
    assert count == 2_500


def test_a_bad_row_is_refused_when_queued_not_at_flush() -> None:
    good = row(uuid7())
    with pytest.raises(ValueError, match="not_a_column"):
        request_row(good | {"not_a_column": 1})
    del good["decision"]
    with pytest.raises(ValueError, match="decision"):
        request_row(good)


async def test_audit_log_appends_each_tenant_in_put_order(
    db: Database, commits: GroupCommit
) -> None:
    first, second = uuid7(), uuid7()
    log = AuditLog(commits, batch_size=1000, flush_interval=3600)
    for i in range(6):
        log.put(first if i % 2 else second, AuditEvent("key:ask_live_x", f"event{i}"))
    await log.flush()
    log.put(first, AuditEvent("key:ask_live_x", "later"))
    await log.close()
    async with db.sessions() as s:
        chains = {t: await audit.list_entries(s, t) for t in (first, second)}
        reports = [await audit.verify(s, t) for t in (first, second)]
    assert [e.event_type for e in chains[first]] == ["event1", "event3", "event5", "later"]
    assert [e.event_type for e in chains[second]] == ["event0", "event2", "event4"]
    assert all(r.ok for r in reports)


async def test_last_used_keeps_each_keys_latest_time(db: Database, commits: GroupCommit) -> None:
    async with db.transaction() as s:
        t = await tenancy.signup(s, tenant_name=f"Usage {uuid7().hex[:8]}", owner_email="o@u.test")
    keys = (t.gateway_key.row.id, t.admin_key.row.id)
    start = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    usage = KeyUsage(commits, batch_size=10_000, flush_interval=3600)
    for i in range(50):
        usage.touch(keys[i % 2], start + timedelta(seconds=i))
    await usage.flush()
    assert await last_used(db, keys) == [
        start + timedelta(seconds=48),
        start + timedelta(seconds=49),
    ]

    usage.touch(keys[0], start)  # an older time, from a slower replica: never moves back
    await usage.close()
    assert await last_used(db, keys) == [
        start + timedelta(seconds=48),
        start + timedelta(seconds=49),
    ]


async def last_used(db: Database, keys: tuple[uuid.UUID, ...]) -> list[datetime | None]:
    async with db.sessions() as s:
        return [await s.scalar(select(ApiKey.last_used_at).where(ApiKey.id == k)) for k in keys]

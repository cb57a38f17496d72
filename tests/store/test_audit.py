"""The audit log on SQLite and PostgreSQL: appends chain, the database refuses edits, and
verify names what an attacker with direct database access changed."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.audit_chain import GENESIS_HASH
from agentshield.engines.ids import uuid7
from agentshield.store import audit
from agentshield.store.audit import AuditEvent
from agentshield.store.db import Database
from agentshield.store.models import AuditEntry


def events(n: int, prefix: str = "e") -> list[AuditEvent]:
    return [AuditEvent("key:ask_live_ab", f"{prefix}{i}", data={"i": i}) for i in range(n)]


async def new_chain(db: Database, n: int) -> uuid.UUID:
    tenant = uuid7()
    async with db.transaction() as s:
        await audit.append(s, tenant, events(n))
    return tenant


async def verify(db: Database, tenant: uuid.UUID, page_size: int = 1000) -> audit.ChainReport:
    async with db.sessions() as s:
        return await audit.verify(s, tenant, page_size=page_size)


async def test_appends_continue_the_chain_and_verify(db: Database) -> None:
    tenant = uuid7()
    async with db.transaction() as s:
        first = await audit.append(s, tenant, events(2))
    async with db.transaction() as s:
        more = await audit.append(s, tenant, events(3, "f"))
        assert await audit.append(s, tenant, []) == []
    rows = first + more
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    report = await verify(db, tenant, page_size=2)  # pages of 2: the walk crosses pages
    assert (report.ok, report.checked, report.problems) == (True, 5, [])
    assert (report.last_seq, report.head_hash) == (5, rows[-1].hash)


async def test_values_read_back_from_the_database_hash_the_same(db: Database) -> None:
    tenant = uuid7()
    paris = timezone(timedelta(hours=2))
    event = AuditEvent(
        actor="user:é@example.test",
        event_type="price.updated",
        trace_id="t-1",
        data={
            "at": datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=paris),
            "id": tenant,
            "score": 0.1,
            "nested": {"z": [1, 2.5, None, True], "a": "日本"},
        },
        created_at=datetime(2025, 3, 1, 12, 0, 1, 7, tzinfo=paris),
    )
    async with db.transaction() as s:
        await audit.append(s, tenant, [event])
    async with db.sessions() as s:
        [stored] = await audit.list_entries(s, tenant)
    assert stored.created_at == datetime(2025, 3, 1, 10, 0, 1, 7, tzinfo=UTC)
    assert stored.data["at"] == "2025-03-01T10:00:00.123456Z"
    assert stored.data["id"] == str(tenant)
    assert (await verify(db, tenant)).ok


async def test_over_long_names_are_cut_before_hashing(db: Database) -> None:
    tenant = uuid7()
    async with db.transaction() as s:
        await audit.append(s, tenant, [AuditEvent("a" * 500, "e" * 500, trace_id="t" * 500)])
    async with db.sessions() as s:
        [entry] = await audit.list_entries(s, tenant)
    assert (len(entry.actor), len(entry.event_type), len(entry.trace_id or "")) == (200, 100, 64)
    assert (await verify(db, tenant)).ok


async def test_list_entries_pages_and_tenants_are_listed(db: Database) -> None:
    tenant = await new_chain(db, 5)
    other = await new_chain(db, 1)
    async with db.sessions() as s:
        page = await audit.list_entries(s, tenant, limit=2, after_seq=2)
        listed = await audit.tenants_with_entries(s)
    assert [e.seq for e in page] == [3, 4]
    assert {e.tenant_id for e in page} == {tenant}
    assert {tenant, other} <= set(listed)
    assert (await verify(db, uuid7())).checked == 0


@pytest.mark.parametrize(
    "statement",
    [
        lambda t: update(AuditEntry).where(AuditEntry.tenant_id == t).values(actor="x"),
        lambda t: delete(AuditEntry).where(AuditEntry.tenant_id == t),
    ],
    ids=["update", "delete"],
)
async def test_the_database_refuses_update_and_delete(db: Database, statement) -> None:
    tenant = await new_chain(db, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.transaction() as s:
            await s.execute(statement(tenant))
    assert (await verify(db, tenant)).checked == 2


@asynccontextmanager
async def triggers_off(session: AsyncSession) -> AsyncIterator[None]:
    """Let this transaction change audit_log, as someone with database access could."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        yield
        await session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        return
    triggers = (
        await session.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_log'"
            )
        )
    ).all()
    assert triggers
    for name, _ in triggers:
        await session.execute(text(f"DROP TRIGGER {name}"))
    yield
    for _, sql in triggers:
        await session.execute(text(sql))


def _at(tenant: uuid.UUID, seq: int):
    return (AuditEntry.tenant_id == tenant) & (AuditEntry.seq == seq)


async def _edit(s: AsyncSession, t: uuid.UUID) -> None:
    await s.execute(update(AuditEntry).where(_at(t, 3)).values(data={"i": 999}))


async def _remove(s: AsyncSession, t: uuid.UUID) -> None:
    await s.execute(delete(AuditEntry).where(_at(t, 3)))


async def _swap(s: AsyncSession, t: uuid.UUID) -> None:
    for old, new in ((3, -1), (4, 3), (-1, 4)):
        await s.execute(update(AuditEntry).where(_at(t, old)).values(seq=new))


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_edit, [(3, "edited")]),
        (_remove, [(3, "removed")]),
        (_swap, [(3, "reordered"), (4, "reordered")]),
    ],
    ids=["edited", "removed", "reordered"],
)
async def test_verify_names_tampered_entries(db: Database, tamper, expected) -> None:
    tenant = await new_chain(db, 6)
    async with db.transaction() as s, triggers_off(s):
        await tamper(s, tenant)
    report = await verify(db, tenant)
    assert not report.ok
    assert [(p.seq, p.kind) for p in report.problems] == expected
    assert all(f"seq {p.seq}" in p.message for p in report.problems)
    # The append-only triggers are back.
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.transaction() as s:
            await s.execute(delete(AuditEntry).where(AuditEntry.tenant_id == tenant))


async def test_concurrent_appenders_never_fork_the_chain(db: Database) -> None:
    tenant = uuid7()
    second = Database(db.url)  # another engine: its own connections, as another process has
    try:

        async def writer(database: Database, n: int) -> None:
            for i in range(10):
                async with database.transaction() as s:
                    await audit.append(s, tenant, [AuditEvent("w", f"w{n}.{i}")])

        await asyncio.gather(*(writer(db if n % 2 else second, n) for n in range(20)))
    finally:
        await second.dispose()
    async with db.sessions() as s:
        seqs = (await s.scalars(select(AuditEntry.seq).where(AuditEntry.tenant_id == tenant))).all()
    assert sorted(seqs) == list(range(1, 201))
    report = await verify(db, tenant)
    assert report.ok and report.checked == 200

"""The append-only audit log: one hash chain per tenant.

Appends run inside the caller's transaction (`Database.transaction()`, or a group commit:
`append_step`), at the default READ COMMITTED isolation. Writers of one tenant are
serialized so the chain never forks: PostgreSQL takes a transaction-scoped advisory lock on
the tenant before reading the chain head; SQLite transactions already hold the write lock
from their start (see db.py). A transaction appends after its other writes, so it takes
the chain lock after any row lock and never holds it while waiting for a row (see
group_commit.py). UNIQUE(tenant_id, seq) stops anything that slips past both.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.audit_chain import (
    GENESIS_HASH,
    ChainEntry,
    ChainReport,
    ChainVerifier,
    seal,
)
from agentshield.engines.ids import uuid7
from agentshield.store.models import AuditEntry, utcnow
from agentshield.store.sql import Sql, in_session, insert_sql

VERIFY_PAGE = 1000


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What happened; metadata only (hashes, counts, decisions), never prompt text."""

    actor: str
    event_type: str
    trace_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None  # when it happened; the time of appending if None


# Strings are cut to their column's length before hashing: PostgreSQL refuses longer ones.
_ACTOR, _EVENT_TYPE, _TRACE_ID = (
    cast(Table, AuditEntry.__table__).c[name].type.length
    for name in ("actor", "event_type", "trace_id")
)


def _lock_key(tenant_id: uuid.UUID) -> int:
    digest = hashlib.sha256(b"agentshield.audit:" + tenant_id.bytes).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


_LOCK_CHAIN = "SELECT pg_advisory_xact_lock(:key)"
_HEAD = "SELECT seq, hash FROM audit_log WHERE tenant_id = :tenant_id ORDER BY seq DESC LIMIT 1"
_INSERT = insert_sql(cast(Table, AuditEntry.__table__))


async def record(
    session: AsyncSession, tenant_id: uuid.UUID, actor: str, event_type: str, /, **data: Any
) -> None:
    """Append one event of metadata (UUIDs written as strings) in the session's transaction."""
    values = {name: str(v) if isinstance(v, uuid.UUID) else v for name, v in data.items()}
    event = AuditEvent(actor=actor, event_type=event_type, trace_id=None, data=values)
    await append(session, tenant_id, [event])


async def append(
    session: AsyncSession, tenant_id: uuid.UUID, events: Sequence[AuditEvent]
) -> list[ChainEntry]:
    """Append `events` in order with the next seq numbers of the tenant's chain."""
    return await in_session(session, append_step, tenant_id, events)


def append_step(sql: Sql, tenant_id: uuid.UUID, events: Sequence[AuditEvent]) -> list[ChainEntry]:
    """`append` as a step (see store/sql.py)."""
    if not events:
        return []
    if sql.locks_rows:
        sql.rows(_LOCK_CHAIN, {"key": _lock_key(tenant_id)})
    head = sql.rows(_HEAD, {"tenant_id": tenant_id})
    seq, prev_hash = (head[0][0], head[0][1]) if head else (0, GENESIS_HASH)
    now = utcnow()
    entries = []
    for event in events:
        seq += 1
        entry = seal(
            tenant_id=tenant_id,
            seq=seq,
            created_at=event.created_at or now,
            actor=event.actor[:_ACTOR],
            event_type=event.event_type[:_EVENT_TYPE],
            trace_id=event.trace_id and event.trace_id[:_TRACE_ID],
            data=event.data,
            prev_hash=prev_hash,
        )
        entries.append(entry)
        prev_hash = entry.hash
    # The entries' own fields, not dataclasses.asdict: its deep copy was half the cost.
    rows = [
        {"id": uuid7(), **entry.fields(), "prev_hash": entry.prev_hash, "hash": entry.hash}
        for entry in entries
    ]
    sql.many(_INSERT, rows)
    return entries


_CHAIN_COLUMNS = (
    AuditEntry.tenant_id,
    AuditEntry.seq,
    AuditEntry.created_at,
    AuditEntry.actor,
    AuditEntry.event_type,
    AuditEntry.trace_id,
    AuditEntry.data,
    AuditEntry.prev_hash,
    AuditEntry.hash,
)


async def verify(
    session: AsyncSession, tenant_id: uuid.UUID, page_size: int = VERIFY_PAGE
) -> ChainReport:
    """Walk the tenant's chain in seq order, a page at a time, and report what is wrong."""
    verifier = ChainVerifier()
    after = 0
    while True:
        rows = (
            await session.execute(
                select(*_CHAIN_COLUMNS)
                .where(AuditEntry.tenant_id == tenant_id, AuditEntry.seq > after)
                .order_by(AuditEntry.seq)
                .limit(page_size)
            )
        ).all()
        for row in rows:
            verifier.feed(ChainEntry(**row._mapping))
        if len(rows) < page_size:
            return verifier.report()
        after = rows[-1].seq


async def list_entries(
    session: AsyncSession, tenant_id: uuid.UUID, limit: int = 100, after_seq: int = 0
) -> list[AuditEntry]:
    """The tenant's entries with seq > `after_seq`, oldest first (keyset pagination)."""
    rows = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.tenant_id == tenant_id, AuditEntry.seq > after_seq)
        .order_by(AuditEntry.seq)
        .limit(limit)
    )
    return list(rows)


async def tenants_with_entries(session: AsyncSession) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(AuditEntry.tenant_id).distinct().order_by(AuditEntry.tenant_id)
    )
    return list(rows)

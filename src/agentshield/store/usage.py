"""Usage bookkeeping written in batches off the response path: `requests` rows, audit
entries, and keys' `last_used_at`.

Each writer stamps the time when an item is queued, not when it is written, so a slow or
unavailable database delays rows without changing what they say. A flush is a step of the
process's group commit (store/group_commit.py), so on SQLite it holds the write lock for
the few milliseconds its rows take on the raw connection, not for the thread hops of the
async driver, and the calls reserving budget behind it wait that much less.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.audit_chain import to_json_value
from agentshield.store import audit
from agentshield.store.batch import BatchWriter
from agentshield.store.group_commit import GroupCommit, last
from agentshield.store.models import RequestRecord, utcnow
from agentshield.store.sql import Sql, in_session, insert_sql

T = TypeVar("T")


def request_row(row: dict[str, Any]) -> dict[str, Any]:
    """`row` with every column of `requests` set (defaults filled in, over-long strings such
    as a client's model name cut to the column's length), or ValueError.

    Checked when queued, so a bad row fails its caller instead of every later flush.
    """
    columns = RequestRecord.__table__.columns
    unknown = row.keys() - columns.keys()
    if unknown:
        raise ValueError(f"not columns of requests: {sorted(unknown)}")
    full = dict(row)
    for column in columns:
        if column.key in full:
            length = getattr(column.type, "length", None)
            value = full[column.key]
            if length and isinstance(value, str) and len(value) > length:
                # PostgreSQL would refuse it, and the whole batch with it, at every retry.
                full[column.key] = value[:length]
            continue
        default: Any = column.default
        if default is not None:
            full[column.key] = default.arg(None) if default.is_callable else default.arg
        elif column.nullable:
            full[column.key] = None
        else:
            raise ValueError(f"requests row needs {column.key!r}")
    return full


_INSERT_REQUESTS = insert_sql(cast(Table, RequestRecord.__table__))


async def insert_requests(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `requests` rows (one executemany) in the session's transaction."""
    if rows:
        await in_session(session, write_requests, [[request_row(row) for row in rows]])


def write_requests(sql: Sql, batches: Sequence[list[dict[str, Any]]]) -> list[None]:
    """A step: the complete rows (see `request_row`) of each batch."""
    sql.many(_INSERT_REQUESTS, [row for batch in batches for row in batch])
    return [None] * len(batches)


@last  # its chain lock after every row lock of the batch (see group_commit.py)
def write_audit(
    sql: Sql, batches: Sequence[list[tuple[uuid.UUID, audit.AuditEvent]]]
) -> list[None]:
    """A step: each batch's events, one append per tenant."""
    groups: dict[uuid.UUID, list[audit.AuditEvent]] = {}
    for batch in batches:
        for tenant_id, event in batch:
            groups.setdefault(tenant_id, []).append(event)
    # Tenants in a fixed order: two processes flushing the same tenants take their chain
    # locks in the same order and cannot deadlock.
    for tenant_id in sorted(groups):
        audit.append_step(sql, tenant_id, groups[tenant_id])
    return [None] * len(batches)


# A key's time only moves forward, so replicas flushing in any order agree.
_TOUCH = """
UPDATE api_keys SET last_used_at = :used_at
WHERE id = :key_id AND (last_used_at IS NULL OR last_used_at < :used_at)
"""


def write_key_usage(sql: Sql, batches: Sequence[list[tuple[uuid.UUID, datetime]]]) -> list[None]:
    """A step: each key's latest use across the batches."""
    latest: dict[uuid.UUID, datetime] = {}
    for batch in batches:
        for key_id, at in batch:
            if key_id not in latest or at > latest[key_id]:
                latest[key_id] = at
    # Keys in a fixed order so concurrent flushes lock rows in the same order.
    sql.many(_TOUCH, [{"key_id": key_id, "used_at": latest[key_id]} for key_id in sorted(latest)])
    return [None] * len(batches)


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return utcnow()
    if at.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware one")
    return at


class _Batched(Generic[T]):
    """Lifecycle shared by the writers below; `writer` does the queueing and retrying."""

    writer: BatchWriter[T]

    def start(self) -> None:
        self.writer.start()

    async def flush(self) -> None:
        await self.writer.flush()

    async def close(self) -> None:
        await self.writer.close()

    @property
    def dropped(self) -> int:
        return self.writer.dropped


class RequestLog(_Batched[dict[str, Any]]):
    """`put()` a dict of a `requests` row (column names as keys); it is written later."""

    def __init__(self, commits: GroupCommit, **batch_options: Any) -> None:
        self._commits = commits
        self.writer = BatchWriter(self._write, name="requests", **batch_options)

    def put(self, row: dict[str, Any]) -> bool:
        return self.writer.put(request_row(row))

    async def _write(self, rows: list[dict[str, Any]]) -> None:
        await self._commits.run(write_requests, rows)


class AuditLog(_Batched[tuple[uuid.UUID, audit.AuditEvent]]):
    """Audit events written in batches: one transaction per flush, one append per tenant."""

    def __init__(self, commits: GroupCommit, **batch_options: Any) -> None:
        self._commits = commits
        self.writer = BatchWriter(self._write, name="audit", **batch_options)

    def put(self, tenant_id: uuid.UUID, event: audit.AuditEvent) -> bool:
        # Normalised now: the caller may reuse its dict, and a bad value fails here.
        event = dataclasses.replace(
            event, data=to_json_value(event.data), created_at=_aware(event.created_at)
        )
        return self.writer.put((tenant_id, event))

    async def _write(self, items: list[tuple[uuid.UUID, audit.AuditEvent]]) -> None:
        await self._commits.run(write_audit, items)


class KeyUsage(_Batched[tuple[uuid.UUID, datetime]]):
    """Keeps `api_keys.last_used_at` with one batched UPDATE per flush, not one per request."""

    def __init__(self, commits: GroupCommit, **batch_options: Any) -> None:
        self._commits = commits
        self.writer = BatchWriter(self._write, name="key-usage", **batch_options)

    def touch(self, key_id: uuid.UUID, at: datetime | None = None) -> bool:
        return self.writer.put((key_id, _aware(at)))

    async def _write(self, items: list[tuple[uuid.UUID, datetime]]) -> None:
        await self._commits.run(write_key_usage, items)

"""The transactional outbox: an event is added in the transaction of the change it reports,
so it exists if and only if that change committed. Delivery (webhooks, e-mail, Redis
Streams) reads undispatched rows later; nothing here sends anything."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.ids import uuid7
from agentshield.store.models import OutboxEvent
from agentshield.store.sql import Sql

_INSERT = """
INSERT INTO outbox (id, tenant_id, kind, payload, created_at)
VALUES (:id, :tenant_id, :kind, :payload, :now)
"""


def add_event(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
) -> OutboxEvent:
    event = OutboxEvent(tenant_id=tenant_id, kind=kind, payload=payload, created_at=now)
    session.add(event)
    return event


def insert_event(
    sql: Sql, tenant_id: uuid.UUID, kind: str, payload: dict[str, Any], now: datetime
) -> None:
    """`add_event` for a step that writes with plain SQL (see store/sql.py)."""
    sql.run(
        _INSERT,
        {"id": uuid7(), "tenant_id": tenant_id, "kind": kind, "payload": payload, "now": now},
    )


async def list_events(
    session: AsyncSession, tenant_id: uuid.UUID, kind: str | None = None, limit: int = 100
) -> Sequence[OutboxEvent]:
    query = select(OutboxEvent).where(OutboxEvent.tenant_id == tenant_id)
    if kind is not None:
        query = query.where(OutboxEvent.kind == kind)
    rows = await session.scalars(query.order_by(OutboxEvent.created_at.desc()).limit(limit))
    return rows.all()

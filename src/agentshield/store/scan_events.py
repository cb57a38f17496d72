"""Scan events: one row per injection scan, metadata only, deduplicated per project.

`insert_events` writes with ON CONFLICT DO NOTHING on (project_id, event_id), so a batch
the SDK sends again after a lost answer is not counted twice; it returns how many rows
were new. Rows carry no text: the table has no column that could hold one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.ids import uuid7
from agentshield.store.models import Project, ScanEvent, utcnow

DEFAULT_PROJECT = "Default"
# Rows per statement: keeps SQLite under its limit of bound parameters.
CHUNK = 500


async def project_for(
    session: AsyncSession, tenant_id: uuid.UUID, project_id: uuid.UUID | None
) -> uuid.UUID:
    """The key's project, else the tenant's "Default" project (made at signup; created
    here if it was deleted)."""
    if project_id is not None:
        return project_id
    found = await session.scalar(
        select(Project.id).where(Project.tenant_id == tenant_id, Project.name == DEFAULT_PROJECT)
    )
    if found is not None:
        return found
    project = Project(tenant_id=tenant_id, name=DEFAULT_PROJECT)
    session.add(project)
    await session.flush()
    return project.id


async def insert_events(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    events: Sequence[dict[str, Any]],
) -> int:
    """Store `events` (`ScanEvent.to_dict()` shaped: fields without a column, such as the
    SDK's project name, are left out); returns the number newly stored."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [
        {"id": uuid7(), "tenant_id": tenant_id, "project_id": project_id, "received_at": now}
        | _columns(event)
        for event in events
    ]
    stored = 0
    for start in range(0, len(rows), CHUNK):
        statement = (
            insert(ScanEvent)
            .values(rows[start : start + CHUNK])
            .on_conflict_do_nothing(index_elements=["project_id", "event_id"])
            .returning(ScanEvent.id)
        )
        stored += len((await session.execute(statement)).all())
    return stored


def _columns(event: dict[str, Any]) -> dict[str, Any]:
    row = {name: event[name] for name in _EVENT_COLUMNS if name in event}
    stamp = row["timestamp"]
    if isinstance(stamp, str):
        stamp = datetime.fromisoformat(stamp)
    row["timestamp"] = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    row["schema_version"] = str(row["schema_version"])
    row["risk_factors"] = list(row.get("risk_factors") or ())
    return row


_EVENT_COLUMNS = frozenset(ScanEvent.__table__.columns.keys()) - {
    "id",
    "tenant_id",
    "project_id",
    "received_at",
}

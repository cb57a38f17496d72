"""A tenant's settings row: one JSON document, a section per concern ("pii", "injection",
"rate_limits"), each read and replaced whole."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.store.models import TenantSettings


async def read_settings(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, Any]:
    row = await session.get(TenantSettings, tenant_id)
    return dict(row.data) if row is not None else {}


async def write_section(
    session: AsyncSession, tenant_id: uuid.UUID, key: str, doc: dict[str, Any]
) -> None:
    """Replace one section, leaving the others as they are."""
    row = await session.get(TenantSettings, tenant_id)
    if row is None:
        row = TenantSettings(tenant_id=tenant_id, data={})
        session.add(row)
    row.data = {**row.data, key: doc}  # a new dict: JSON columns track assignment only
    await session.flush()

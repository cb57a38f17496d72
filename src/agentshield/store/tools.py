"""The `tool_definitions` table: the price of one execution of each tool, per tenant.

Rows without a tenant are the built-in defaults (seeded by migration 0005: web_search
$0.01, python_interpreter $0.05, image_generation $0.04); a tenant's row of the same name
overrides its default for that tenant only. `ToolPrices` holds the whole table in memory,
like the gateway's PriceBook holds model prices: loaded at start, reloaded after an edit,
so pricing a call never waits for the database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.store.db import Database
from agentshield.store.errors import Invalid
from agentshield.store.models import ToolDefinition, utcnow
from agentshield.store.scoped import save

MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class Definition:
    """A tool as one tenant sees it: its own row, else the default."""

    name: str
    description: str | None
    price_nanos: int
    source: str  # "tenant" (the tenant's own row) or "default"
    updated_at: datetime


async def definitions_for(session: AsyncSession, tenant_id: uuid.UUID) -> list[Definition]:
    """Every tool the tenant is priced for, by name; its own rows win over the defaults."""
    rows = await session.scalars(
        select(ToolDefinition)
        .where(or_(ToolDefinition.tenant_id.is_(None), ToolDefinition.tenant_id == tenant_id))
        .order_by(ToolDefinition.name)
    )
    found: dict[str, Definition] = {}
    for row in rows:
        if row.tenant_id is None and row.name in found:
            continue  # the tenant's own row came first
        found[row.name] = Definition(
            row.name,
            row.description,
            row.price_nanos,
            "default" if row.tenant_id is None else "tenant",
            row.updated_at,
        )
    return list(found.values())


async def set_definition(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    name: str,
    price_nanos: int,
    description: str | None = None,
) -> Definition:
    """Create or replace the tenant's own definition of `name` (never the default row)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid(f"a tool name is 1 to {MAX_NAME} characters")
    if isinstance(price_nanos, bool) or not isinstance(price_nanos, int) or price_nanos < 0:
        raise Invalid("a tool's price is a non-negative amount")
    row = await session.scalar(
        select(ToolDefinition).where(
            ToolDefinition.tenant_id == tenant_id, ToolDefinition.name == name
        )
    )
    if row is None:
        row = ToolDefinition(
            tenant_id=tenant_id, name=name, price_nanos=price_nanos, description=description
        )
        await save(session, row, f"tool {name!r}")
    else:
        row.price_nanos = price_nanos
        row.description = description
        row.updated_at = utcnow()
        await session.flush()
    return Definition(row.name, row.description, row.price_nanos, "tenant", row.updated_at)


async def tool_price_table(session: AsyncSession) -> dict[tuple[uuid.UUID | None, str], int]:
    """Every row's price by (tenant id or None for a default, name)."""
    rows = await session.execute(
        select(ToolDefinition.tenant_id, ToolDefinition.name, ToolDefinition.price_nanos)
    )
    return {(tenant_id, name): price for tenant_id, name, price in rows}


class ToolPrices:
    """The table in memory. A lookup is a dict read; `load` replaces it whole."""

    def __init__(self) -> None:
        self._table: dict[tuple[uuid.UUID | None, str], int] = {}

    async def load(self, db: Database) -> None:
        async with db.read() as session:
            self._table = await tool_price_table(session)

    def price(self, tenant_id: uuid.UUID | None, name: str) -> int | None:
        """Nano-dollars of one execution for this tenant; None for a tool not priced."""
        own = self._table.get((tenant_id, name))
        return own if own is not None else self._table.get((None, name))

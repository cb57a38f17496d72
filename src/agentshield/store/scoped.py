"""Tenant-scoped row access. Every lookup filters by tenant, so another tenant's row is
indistinguishable from a missing one (NotFound), never a leak."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.store.errors import Conflict, NotFound

Row = TypeVar("Row")


async def get_owned(
    session: AsyncSession, model: type[Row], tenant_id: uuid.UUID, row_id: Any
) -> Row:
    row = await session.scalar(
        select(model).where(model.tenant_id == tenant_id, model.id == row_id)  # type: ignore[attr-defined]
    )
    if row is None:
        raise NotFound(f"{model.__tablename__} {row_id} not found")  # type: ignore[attr-defined]
    return row


async def list_owned(
    session: AsyncSession, model: type[Row], tenant_id: uuid.UUID
) -> Sequence[Row]:
    rows = await session.scalars(
        select(model).where(model.tenant_id == tenant_id).order_by(model.created_at)  # type: ignore[attr-defined]
    )
    return rows.all()


async def save(session: AsyncSession, row: Any, what: str) -> None:
    """Add and flush, turning a unique or foreign-key violation into Conflict.

    Runs in a savepoint so the caller's transaction survives the failed statement.
    """
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what} conflicts with an existing row or is still referenced") from exc


async def remove(session: AsyncSession, row: Any, what: str) -> None:
    try:
        async with session.begin_nested():
            await session.delete(row)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what} is still in use") from exc

"""The `model_prices` table: seeded from the shipped list, edited by admins.

Prices are global (one table for every tenant), in nano-dollars per million tokens.
A deleted price stays as a row with source "deleted" (a tombstone), so the next start's
seeding does not bring a shipped price back; setting the price again revives it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.ids import uuid7
from agentshield.engines.pricing import Price, load_price_list
from agentshield.store.errors import Invalid, NotFound
from agentshield.store.models import ModelPrice, utcnow

DELETED = "deleted"


def _insert(session: AsyncSession) -> Any:
    """INSERT with ON CONFLICT support for the session's backend."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ModelPrice)


def _values(price: Price, source: str) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "model": price.model,
        "input_per_mtok": price.input_per_mtok,
        "output_per_mtok": price.output_per_mtok,
        "cached_input_per_mtok": price.cached_input_per_mtok,
        "source": source,
        "updated_at": utcnow(),
    }


def to_price(row: ModelPrice) -> Price:
    return Price(row.model, row.input_per_mtok, row.output_per_mtok, row.cached_input_per_mtok)


async def seed_prices(session: AsyncSession, prices: Iterable[Price] | None = None) -> list[str]:
    """Insert the shipped prices (or `prices`) of models not priced yet; returns those models.

    An existing row is never touched, so an admin's edit survives every start. Safe to run
    from several processes at once.
    """
    values = [_values(p, "seed") for p in (load_price_list() if prices is None else prices)]
    if not values:
        return []
    statement = (
        _insert(session)
        .values(values)
        .on_conflict_do_nothing(index_elements=["model"])
        .returning(ModelPrice.model)
    )
    return sorted((await session.scalars(statement)).all())


async def list_prices(session: AsyncSession) -> list[ModelPrice]:
    rows = await session.scalars(
        select(ModelPrice).where(ModelPrice.source != DELETED).order_by(ModelPrice.model)
    )
    return list(rows)


async def price_table(session: AsyncSession) -> dict[str, Price]:
    """Every price by model name, for `engines.pricing.match_price`."""
    return {row.model: to_price(row) for row in await list_prices(session)}


async def get_price(session: AsyncSession, model: str) -> ModelPrice | None:
    return await session.scalar(
        select(ModelPrice).where(ModelPrice.model == model, ModelPrice.source != DELETED)
    )


async def upsert_price(
    session: AsyncSession,
    model: str,
    input_per_mtok: int,
    output_per_mtok: int,
    cached_input_per_mtok: int | None = None,
) -> ModelPrice:
    """Set a model's price (source "api"): creates the row or replaces its figures."""
    if not model.strip():
        raise Invalid("model must not be empty")
    figures = (input_per_mtok, output_per_mtok, cached_input_per_mtok or 0)
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in figures):
        raise Invalid("prices are non-negative integers of nano-dollars per million tokens")
    values = _values(
        Price(model, input_per_mtok, output_per_mtok, cached_input_per_mtok), source="api"
    )
    insert = _insert(session).values(values)
    statement = insert.on_conflict_do_update(
        index_elements=["model"],
        set_={k: insert.excluded[k] for k in values if k not in ("id", "model")},
    ).returning(ModelPrice)
    row = await session.scalar(statement, execution_options={"populate_existing": True})
    assert row is not None
    return row


async def delete_price(session: AsyncSession, model: str) -> None:
    row = await get_price(session, model)
    if row is None:
        raise NotFound(f"no price for model {model!r}")
    row.source = DELETED
    row.updated_at = utcnow()
    await session.flush()

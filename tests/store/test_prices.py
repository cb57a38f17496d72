"""The model_prices table on SQLite and PostgreSQL: seeding never overwrites an edit.

The table is shared by every test in the run, so tests edit only models they name.
"""

from __future__ import annotations

import pytest

from agentshield.engines.ids import uuid7
from agentshield.engines.pricing import Price, load_price_list, match_price
from agentshield.store import prices
from agentshield.store.db import Database
from agentshield.store.errors import Invalid, NotFound


def a_model() -> str:
    return f"test-model-{uuid7().hex}"


async def test_seeding_the_shipped_list_is_idempotent(db: Database) -> None:
    async with db.transaction() as s:
        await prices.seed_prices(s)
    async with db.transaction() as s:
        assert await prices.seed_prices(s) == []
        table = await prices.price_table(s)
    for shipped in load_price_list():
        assert shipped.model in table


async def test_seed_does_not_overwrite_an_admin_edit(db: Database) -> None:
    model = a_model()
    async with db.transaction() as s:
        assert await prices.seed_prices(s, [Price(model, 100, 200, 50)]) == [model]
        seeded = await prices.get_price(s, model)
        assert seeded is not None and seeded.source == "seed"
    async with db.transaction() as s:
        edited = await prices.upsert_price(s, model, 1_000, 2_000, None)
        assert (edited.source, edited.input_per_mtok, edited.cached_input_per_mtok) == (
            "api",
            1_000,
            None,
        )
    async with db.transaction() as s:
        assert await prices.seed_prices(s, [Price(model, 100, 200, 50)]) == []
        row = await prices.get_price(s, model)
    assert row is not None
    assert (row.input_per_mtok, row.output_per_mtok, row.source) == (1_000, 2_000, "api")


async def test_upsert_creates_then_replaces_and_delete_removes(db: Database) -> None:
    model = a_model()
    async with db.transaction() as s:
        created = await prices.upsert_price(s, model, 10, 20, 5)
    async with db.transaction() as s:
        replaced = await prices.upsert_price(s, model, 11, 21, 6)
        assert replaced.id == created.id
        table = await prices.price_table(s)
    assert table[model] == Price(model, 11, 21, 6)
    assert match_price(table, f"{model}-2025-01-31") == Price(model, 11, 21, 6)
    async with db.transaction() as s:
        await prices.delete_price(s, model)
    async with db.transaction() as s:
        assert await prices.get_price(s, model) is None
        assert model not in {p.model for p in await prices.list_prices(s)}
        with pytest.raises(NotFound):
            await prices.delete_price(s, model)


@pytest.mark.parametrize(
    ("model", "figures"),
    [("", (1, 1, None)), ("m", (-1, 1, None)), ("m", (1, 1, -1)), ("m", (1, True, None))],
)
async def test_upsert_refuses_bad_prices(
    db: Database, model: str, figures: tuple[int, int, int | None]
) -> None:
    async with db.transaction() as s:
        with pytest.raises(Invalid):
            await prices.upsert_price(s, model, *figures)


async def test_a_deleted_shipped_price_stays_deleted_after_seeding(db: Database) -> None:
    model = a_model()
    shipped = [Price(model, 100, 200)]
    async with db.transaction() as s:
        assert await prices.seed_prices(s, shipped) == [model]
        await prices.delete_price(s, model)
    async with db.transaction() as s:  # the next start seeds again
        assert await prices.seed_prices(s, shipped) == []
        assert model not in await prices.price_table(s)
        revived = await prices.upsert_price(s, model, 1, 2)
    assert (revived.source, revived.input_per_mtok) == ("api", 1)

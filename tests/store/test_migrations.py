"""Migrations: they build exactly the models' schema, and a schema behind is refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from agentshield.store.db import Database
from agentshield.store.migrate import SchemaError, check_current, head_revision, upgrade
from agentshield.store.models import Base


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(diff) == []
    await check_current(db)


async def test_a_schema_behind_the_code_is_refused_with_the_fix(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    db = Database(url)
    try:
        with pytest.raises(SchemaError, match=r"empty.*agentshield migrate"):
            await check_current(db)
        await db.engine.dispose()
        await asyncio.to_thread(upgrade, url, "0001")
        assert head_revision() != "0001"
        with pytest.raises(SchemaError, match="at 0001"):
            await check_current(db)
        await db.engine.dispose()
        await asyncio.to_thread(upgrade, url)
        await check_current(db)
    finally:
        await db.dispose()

"""Alembic environment: runs migrations on the URL handed in by agentshield.store.migrate."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from agentshield.store.db import make_engine
from agentshield.store.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "agentshield.store.migrate sets sqlalchemy.url"
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    raise RuntimeError("offline SQL generation is not supported; use `agentshield migrate`")
run_migrations_online()

"""Shared fixtures. Storage tests run on both SQLite and the real PostgreSQL.

PostgreSQL is expected at AGENTSHIELD_TEST_PG (default postgresql+asyncpg://postgres@127.0.0.1:5432).
When it is missing the PostgreSQL half fails with a message saying how to start it: it is never
skipped, so CI cannot pass without it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from agentshield.store.db import Database
from agentshield.store.migrate import upgrade

PG_SERVER = os.environ.get("AGENTSHIELD_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
PG_DATABASE = f"agentshield_test_{os.getpid()}"


def _recreate_pg_database() -> str:
    import asyncio

    import asyncpg

    dsn = PG_SERVER.replace("postgresql+asyncpg://", "postgresql://")

    async def recreate() -> None:
        try:
            conn = await asyncpg.connect(dsn + "/postgres", timeout=5)
        except (OSError, asyncpg.PostgresError) as exc:
            pytest.fail(
                f"PostgreSQL is not reachable at {dsn} ({exc}). Start it with "
                "'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' "
                "or point AGENTSHIELD_TEST_PG at a server.",
                pytrace=False,
            )
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    return f"{PG_SERVER}/{PG_DATABASE}"


def _drop_pg_database() -> None:
    import asyncio

    import asyncpg

    dsn = PG_SERVER.replace("postgresql+asyncpg://", "postgresql://")

    async def drop() -> None:
        conn = await asyncpg.connect(dsn + "/postgres", timeout=5)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "agentshield.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url = _recreate_pg_database()
    upgrade(url)
    yield url
    _drop_pg_database()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated database URL; tests using it run once per backend."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(name)


@pytest.fixture(scope="session")
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    yield database
    await database.dispose()

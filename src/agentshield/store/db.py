"""Engine and session factory for SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the driver's implicit one is deferred).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock up front: a deferred transaction that later writes can fail with
    # SQLITE_BUSY without waiting, which would lose a row under concurrent writers.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if is_sqlite(url):
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class Database:
    """Owns the engine; hands out sessions. One per process, built by the app factory.

    On SQLite every transaction takes the file's write lock (BEGIN IMMEDIATE), so they run
    one at a time anyway; queueing them on an asyncio lock first keeps that queue in order
    and awake, where SQLite's busy handler would have them sleep and poll, and time out
    under load. `read()` sessions begin deferred on a second pool: WAL readers never wait.
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._writer: asyncio.Lock | None = None
        self._reader_engine: AsyncEngine | None = None
        self._reads = self.sessions
        if is_sqlite(url):
            self._writer = asyncio.Lock()
            self._reader_engine = create_async_engine(url, **engine_kwargs)
            event.listen(self._reader_engine.sync_engine, "connect", _sqlite_pragmas)
            self._reads = async_sessionmaker(self._reader_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def sqlite_file(self) -> str | None:
        """The database file, when this is SQLite on a file."""
        database = make_url(self.url).database
        return database if is_sqlite(self.url) and database not in (None, "", ":memory:") else None

    def writing(self) -> AbstractAsyncContextManager[object]:
        """Held while a transaction writes: on SQLite, the queue for the file's write lock."""
        return self._writer or nullcontext()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.writing(), self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading only: it sees committed data and never blocks a writer."""
        async with self._reads() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._reader_engine is not None:
            await self._reader_engine.dispose()

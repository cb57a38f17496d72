"""Group commit: the request path's short transactions, many calls to one commit.

Calls that arrive while a transaction runs wait for the next one, which takes them all:
calls of the same step (`budget_step`, the usage writers) go to it together, so a batch costs one
statement per row it touches rather than per call. A step that raises fails alone: the
batch is then rolled back and run again with each step in its own savepoint (which every
batch paid for, two statements a step, when savepoints were taken up front). Steps are
pure functions of the database, so running one twice is safe. Under no load a batch is
one call and nothing waits.

On a SQLite file the batch runs on a raw `sqlite3` connection, in the event loop's own
thread: through the async driver a statement costs about 0.45 ms of thread hops and
SQLAlchemy work, raw about 5 µs, and a batch is a millisecond or two of CPU. (In a writer
thread it was slower: the thread needs the GIL back after every statement, and a busy loop
gives it up only every 5 ms.) It takes the same queue as the ORM's transactions
(`Database.writing`), so neither waits for the other in SQLite's busy handler; the write
lock held by another process (a CLI command) is waited for with the loop free. On
PostgreSQL it runs on one connection the group commit keeps; steps lock the rows they
read, in one global order. A step marked `last` (the audit append, which takes a tenant's
chain lock) runs after the others of its batch, whatever the order calls arrived in: every
transaction takes that lock after its row locks, so none holds it while waiting for a row
(a batch touching a key while an admin deleted it deadlocked that way).

A call cancelled before its batch starts is dropped; one cancelled while its batch runs
still commits. A call may give a `finish` callback: it gets the call's outcome (or the
exception that failed it) as soon as the transaction has ended, before the next batch
starts and whether or not the caller is still waiting, so state kept in memory can follow
what was committed, and only that.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from agentshield.store.db import PRAGMAS, Database
from agentshield.store.sql import SQLITE_FORMS, Params, SessionSql, Sql

T = TypeVar("T")
Item = TypeVar("Item")
# A step over many calls: one outcome per item, in order; an Exception outcome is raised
# to that call alone.
Step = Callable[[Sql, Sequence[Any]], list[Any]]
Outcomes = list[list[Any]]  # each step's, in order
Runner = Callable[[Sql, list[tuple[Step, list[Any]]]], Outcomes]
BUSY_TIMEOUT = 10.0  # seconds to wait for another process's write lock, as db.py's engines
BUSY_WAIT = 0.002
CHECKPOINT_EVERY = 200  # commits between two checkpoints of the WAL, by a worker thread
# Loop turns a batch waits before it starts, for more calls to join it: its fixed cost (the
# commit, which writes a WAL frame for every page the batch touched, and the shared quota
# windows and wallets read and written once) is then spread wider. In
# benchmarks/budget_overhead.py (concurrency 32) a reserve batch started in the turn its
# first call came held 8 calls on average, and 15 after two turns. A turn with nothing
# else to do is microseconds.
GATHER_TURNS = 2
_LAST: set[Step] = set()


def last(step: Step) -> Step:
    """Mark `step` to run after the other steps of its batch (see the module's text)."""
    _LAST.add(step)
    return step


log = logging.getLogger("agentshield.store")


@dataclass(slots=True)  # not frozen: made for every call, and frozen ones are made 4x slower
class _Call:
    step: Step
    item: object
    future: asyncio.Future[Any]
    finish: Callable[[Any], None] | None


class GroupCommit:
    def __init__(self, db: Database) -> None:
        self._db = db
        path = db.sqlite_file
        self._raw = _RawWriter(path) if path is not None else None
        self._queue: list[_Call] = []
        self._drainer: asyncio.Task[None] | None = None
        self._connection: AsyncConnection | None = None  # see _on_connection

    async def run(
        self,
        step: Callable[[Sql, Sequence[Item]], list[T | Exception]],
        item: Item,
        finish: Callable[[T | Exception], None] | None = None,
    ) -> T:
        """`step(sql, [item, …])` for this item and those of other calls; its outcome."""
        loop = asyncio.get_running_loop()
        call = _Call(step, item, loop.create_future(), finish)
        self._queue.append(call)
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        outcome: T = await call.future
        return outcome

    async def close(self) -> None:
        if self._drainer is not None:
            await asyncio.gather(self._drainer, return_exceptions=True)
        if self._raw is not None:
            await self._raw.close()
        await self._close_connection()

    async def _drain(self) -> None:
        for _ in range(GATHER_TURNS):
            await asyncio.sleep(0)
        while self._queue:
            batch = [call for call in self._queue if not call.future.cancelled()]
            self._queue = []
            groups: dict[Step, list[_Call]] = {}
            for call in batch:
                groups.setdefault(call.step, []).append(call)
            ordered = sorted(groups.items(), key=lambda group: group[0] in _LAST)  # stable
            work = [(step, [call.item for call in calls]) for step, calls in ordered]
            try:
                async with self._db.writing():
                    outcomes = await self._commit(work)
            except Exception as exc:  # the transaction failed: every call of it fails
                outcomes = [[exc] * len(items) for _, items in work]
            for (_, calls), results in zip(ordered, outcomes, strict=True):
                for call, result in zip(calls, results, strict=True):
                    if call.finish is not None:
                        call.finish(result)
                    if call.future.cancelled():
                        continue
                    if isinstance(result, Exception):
                        call.future.set_exception(result)
                    else:
                        call.future.set_result(result)

    async def _commit(self, work: list[tuple[Step, list[Any]]]) -> Outcomes:
        try:
            return await self._transaction(run_together, work)
        except _StepRaised:
            return await self._transaction(run_apart, work)

    async def _transaction(self, run: Runner, work: list[tuple[Step, list[Any]]]) -> Outcomes:
        if self._raw is not None:
            return await self._raw.commit(run, work)
        # On PostgreSQL: one connection kept for the batches, on SQLAlchemy's Core (from the
        # pool each batch, it cost a ping and a checkout, and the ORM session its own work on
        # every statement). One the server dropped fails its batch's first statement, and
        # SQLAlchemy connects again when the batch is run again step by step.
        if self._connection is None:
            self._connection = await self._db.engine.connect()
        connection = self._connection
        async with connection.begin():
            return await connection.run_sync(lambda sync: run(SessionSql(sync), work))

    async def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            await connection.close()


class _StepRaised(Exception):
    """A step raised: the batch is rolled back, to be run again step by step."""


def run_together(sql: Sql, work: list[tuple[Step, list[Any]]]) -> Outcomes:
    """Each step over its items, with nothing in between."""
    try:
        return [step(sql, items) for step, items in work]
    except Exception as exc:
        raise _StepRaised from exc


def run_apart(sql: Sql, work: list[tuple[Step, list[Any]]]) -> Outcomes:
    """Each step over its items, in its own savepoint: one that raises fails its calls."""
    outcomes: list[list[Any]] = []
    for step, items in work:
        sql.run("SAVEPOINT group_step", {})
        try:
            outcomes.append(step(sql, items))
        except Exception as exc:
            sql.run("ROLLBACK TO SAVEPOINT group_step", {})
            outcomes.append([_as_dbapi(exc)] * len(items))
        sql.run("RELEASE SAVEPOINT group_step", {})
    return outcomes


class RawSql:
    """`Sql` on a raw sqlite3 connection. Parameters are bound as they are: sqlite3 turns
    the values SQLAlchemy's types would (UUIDs, datetimes, JSON) into the same forms with
    the adapters registered below, in C for every other value, with no dict per row."""

    locks_rows = False

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def run(self, statement: str, params: Params) -> None:
        self.connection.execute(statement, params)

    def many(self, statement: str, params: Sequence[Params]) -> None:
        self.connection.executemany(statement, params)

    def rows(self, statement: str, params: Params) -> list[Sequence[Any]]:
        return self.connection.execute(statement, params).fetchall()


# Process-wide, as sqlite3's adapters are; SQLAlchemy's connections never meet them (its
# types hand the driver strings already).
for _type, _form in SQLITE_FORMS.items():
    sqlite3.register_adapter(_type, _form)


class _RawWriter:
    """One sqlite3 connection, used from the event loop's thread.

    It never checkpoints the WAL itself: copying the WAL into the database file (and its
    fsync) would stop the loop for milliseconds. Every CHECKPOINT_EVERY commits a worker
    thread does it instead, on its own connection (PASSIVE: it waits for no one).
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._sql: RawSql | None = None
        self._since_checkpoint = 0
        self._checkpoint: asyncio.Future[None] | None = None
        self._checkpointer: sqlite3.Connection | None = None  # used by one thread at a time

    async def commit(self, run: Runner, work: list[tuple[Step, list[Any]]]) -> Outcomes:
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            sql = self._connect()
            try:
                sql.connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise _as_dbapi(exc) from exc
                await asyncio.sleep(BUSY_WAIT)  # another process writes: wait, loop free
                continue
            try:
                outcomes = run(sql, work)
                sql.connection.execute("COMMIT")
            except BaseException as exc:
                if sql.connection.in_transaction:
                    sql.connection.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _as_dbapi(exc) from exc
                raise
            self._after_commit()
            return outcomes

    async def close(self) -> None:
        if self._checkpoint is not None:
            await asyncio.gather(self._checkpoint, return_exceptions=True)
        for connection in (self._sql and self._sql.connection, self._checkpointer):
            if connection is not None:
                connection.close()
        self._sql = self._checkpointer = None

    def _connect(self) -> RawSql:
        if self._sql is None:
            connection = sqlite3.connect(self._path, isolation_level=None)
            for pragma in PRAGMAS:
                connection.execute(pragma)
            connection.execute("PRAGMA busy_timeout=0")  # waited for above, not in here
            connection.execute("PRAGMA wal_autocheckpoint=0")  # see the class's docstring
            self._sql = RawSql(connection)
        return self._sql

    def _after_commit(self) -> None:
        self._since_checkpoint += 1
        running = self._checkpoint is not None and not self._checkpoint.done()
        if self._since_checkpoint >= CHECKPOINT_EVERY and not running:
            self._since_checkpoint = 0
            loop = asyncio.get_running_loop()
            self._checkpoint = loop.run_in_executor(None, self._checkpoint_wal)
            self._checkpoint.add_done_callback(_log_failure)

    def _checkpoint_wal(self) -> None:
        if self._checkpointer is None:
            self._checkpointer = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False
            )
            self._checkpointer.execute("PRAGMA busy_timeout=10000")
        self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _log_failure(done: asyncio.Future[None]) -> None:
    if not done.cancelled() and done.exception() is not None:  # the next one tries again
        log.warning("checkpointing the SQLite WAL failed: %s", type(done.exception()).__name__)


def _as_dbapi(exc: Exception) -> Exception:
    """sqlite3's errors as SQLAlchemy's, as the session path raises them."""
    if isinstance(exc, sqlite3.Error):
        return DBAPIError.instance(None, None, exc, sqlite3.Error)
    return exc

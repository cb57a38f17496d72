"""The gateway served by a real uvicorn (uvloop, httptools) on a free loopback port, in a
background thread, for tests that talk to it over HTTP.

    with run_gateway(settings) as gw:
        client = openai.OpenAI(base_url=gw.url + "/v1", api_key=key)
        ...
        gw.flush()                      # write what the batch writers hold
        rows = gw.call(some_query)      # run `some_query(db)` on the gateway's loop
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import uvicorn
import uvloop
from fastapi import FastAPI
from sqlalchemy import select

from agentshield.server import create_app
from agentshield.settings import Settings
from agentshield.store.db import Database
from agentshield.store.models import AuditEntry, RequestRecord

T = TypeVar("T")
START_TIMEOUT = 20.0


@dataclass
class RunningGateway:
    url: str
    app: FastAPI
    loop: asyncio.AbstractEventLoop

    def call(self, fn: Callable[[Database], Awaitable[T]], timeout: float = 30.0) -> T:
        """Run `fn(db)` on the gateway's own loop, with its own Database, and return the result."""
        db: Database = self.app.state.db
        return asyncio.run_coroutine_threadsafe(_run(fn, db), self.loop).result(timeout)

    def flush(self) -> None:
        """Write every queued `requests` row, audit event and key usage now."""
        state = self.app.state

        async def flush_all(_: Database) -> None:
            for writer in (state.request_log, state.audit_log, state.key_usage):
                await writer.flush()

        self.call(flush_all)

    def records(self, trace_id: str) -> tuple[RequestRecord, AuditEntry]:
        """The one `requests` row and the one audit entry of a call, after flushing the writers."""
        self.flush()

        async def read(db: Database) -> tuple[list[RequestRecord], list[AuditEntry]]:
            async with db.read() as session:
                rows = await session.scalars(
                    select(RequestRecord).where(RequestRecord.trace_id == trace_id)
                )
                entries = await session.scalars(
                    select(AuditEntry).where(AuditEntry.trace_id == trace_id)
                )
                return list(rows), list(entries)

        rows, entries = self.call(read)
        assert len(rows) == 1 and len(entries) == 1, (trace_id, rows, entries)
        return rows[0], entries[0]


async def _run(fn: Callable[[Database], Awaitable[T]], db: Database) -> T:
    return await fn(db)


class GatewayStartError(RuntimeError):
    pass


@contextmanager
def run_gateway(settings: Settings) -> Iterator[RunningGateway]:
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        loop="none",
        http="httptools",
        lifespan="on",
        log_level="warning",
        log_config=None,  # leave logging to pytest, which captures it
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    loop = uvloop.new_event_loop()
    failure: list[BaseException] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.serve())
        except BaseException as exc:  # handed to the test's thread below
            failure.append(exc)
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=serve, name="gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            thread.join(5)
            raise GatewayStartError(f"the gateway did not start: {failure or 'see the log'}")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningGateway(f"http://127.0.0.1:{port}", app, loop)
    finally:
        server.should_exit = True
        thread.join(30)

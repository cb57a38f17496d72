"""What the gateway adds: the same load straight to a local upstream, then through the gateway.

The gateway runs as in production (one uvicorn worker, uvloop + httptools, SQLite, guards
auth + audit + cost, rows and audit entries written in batches). The upstream is the lean
server of `lean_upstream.py`, in its own process; the load generator is a raw asyncio +
httptools client in this process, each connection sending its requests one after another.
On a machine with two cores or more the gateway gets a core of its own.

    .venv/bin/python benchmarks/gateway_overhead.py [--requests 20000] [--concurrency 1 32]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench]

Goals: at concurrency 1 the gateway adds under 1.5 ms at p50; at concurrency 32 it serves
at least 1,500 requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httptools
import orjson
import uvloop

from lean_upstream import free_port, start_in_process, wait_for_port

BODY = orjson.dumps(
    {"model": "bench-model", "messages": [{"role": "user", "content": "Say hello, briefly."}]}
)


def pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


class _Connection(asyncio.Protocol):
    """One keep-alive connection that sends a request and waits for the whole response."""

    def __init__(self) -> None:
        self._parser = httptools.HttpResponseParser(self)
        self._transport: asyncio.WriteTransport | None = None
        self._done: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._parser.feed_data(data)

    def on_message_complete(self) -> None:
        assert self._done is not None
        self._done.set_result(self._parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_exception(ConnectionError("connection lost"))

    async def request(self, raw: bytes) -> int:
        assert self._transport is not None
        self._done = asyncio.get_running_loop().create_future()
        self._transport.write(raw)
        return await self._done


def request_bytes(port: int, path: str, key: str | None) -> bytes:
    head = [
        f"POST {path} HTTP/1.1",
        f"host: 127.0.0.1:{port}",
        "content-type: application/json",
        f"content-length: {len(BODY)}",
    ]
    if key:
        head.append(f"authorization: Bearer {key}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + BODY


async def load(port: int, raw: bytes, requests: int, concurrency: int) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    connections = [
        (await loop.create_connection(_Connection, "127.0.0.1", port))[1]
        for _ in range(concurrency)
    ]
    latencies: list[float] = []
    failures = 0

    async def run(connection: _Connection, count: int, record: bool) -> None:
        nonlocal failures
        for _ in range(count):
            started = time.perf_counter()
            status = await connection.request(raw)
            if record:
                latencies.append(time.perf_counter() - started)
                failures += status != 200

    warmup = max(200, requests // 10) // concurrency
    await asyncio.gather(*(run(c, warmup, False) for c in connections))
    began = time.perf_counter()
    await asyncio.gather(*(run(c, requests // concurrency, True) for c in connections))
    elapsed = time.perf_counter() - began
    for connection in connections:
        assert connection._transport is not None
        connection._transport.close()
    latencies.sort()
    return {
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "rps": len(latencies) / elapsed,
        "failures": failures,
        "sent": (warmup + requests // concurrency) * concurrency,
    }


def serve_gateway(settings: dict[str, Any], port: int) -> None:
    import uvicorn

    from agentshield.server import create_app
    from agentshield.settings import Settings

    pin(0)
    app = create_app(Settings(**settings))
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )


async def make_key(database_url: str) -> str:
    from agentshield.store import tenancy
    from agentshield.store.db import Database

    db = Database(database_url)
    try:
        async with db.transaction() as session:
            made = await tenancy.signup(
                session, tenant_name=f"Bench {uuid.uuid4().hex[:6]}", owner_email="b@bench.test"
            )
        return made.gateway_key.secret
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 32])
    # Issue 2's goal is for auth + cost + audit; pass others (e.g. the default list) to compare.
    parser.add_argument("--guards", nargs="+", default=["cost", "audit"])
    parser.add_argument(
        "--database-url", help="a database to migrate and use instead of a new SQLite file"
    )
    args = parser.parse_args()

    from agentshield.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="agentshield-bench-") as workdir:
        database_url = args.database_url or f"sqlite+aiosqlite:///{Path(workdir) / 'bench.db'}"
        upgrade(database_url)
        key = asyncio.run(make_key(database_url))
        run(database_url, key, args.requests, args.concurrency, args.guards)


def gateway_settings(database_url: str, upstream_port: int, guards: list[str]) -> dict[str, Any]:
    return {
        "environment": "production",
        "database_url": database_url,
        "providers": [
            {
                "name": "bench",
                "base_url": f"http://127.0.0.1:{upstream_port}/v1",
                "models": ["bench-model"],
            }
        ],
        "guards": guards,
    }


def start_gateway(
    database_url: str, upstream_port: int, guards: list[str]
) -> tuple[multiprocessing.process.BaseProcess, int]:
    """The gateway in its own process (on core 0) before `upstream_port`; this process
    moves to core 1 to generate the load."""
    port = free_port()
    settings = gateway_settings(database_url, upstream_port, guards)
    context = multiprocessing.get_context("spawn")
    gateway = context.Process(target=serve_gateway, args=(settings, port), daemon=True)
    gateway.start()
    pin(1)
    return gateway, port


@contextmanager
def gateway_before_upstream(database_url: str, guards: list[str]) -> Iterator[tuple[int, int, int]]:
    """The lean upstream and the gateway before it, running: (upstream port, gateway port,
    gateway process id)."""
    upstream_port = free_port()
    upstream = start_in_process(upstream_port)
    gateway, gateway_port = start_gateway(database_url, upstream_port, guards)
    try:
        wait_for_port(gateway_port, timeout=30)
        assert gateway.pid is not None
        yield upstream_port, gateway_port, gateway.pid
    finally:
        gateway.terminate()
        upstream.terminate()
        gateway.join()
        upstream.join()


def run(
    database_url: str, key: str, requests: int, concurrencies: list[int], guards: list[str]
) -> None:
    with gateway_before_upstream(database_url, guards) as (upstream_port, gateway_port, _):
        direct = request_bytes(upstream_port, "/v1/chat/completions", None)
        proxied = request_bytes(gateway_port, "/v1/chat/completions", key)
        print(f"{'target':8} {'conc':>4} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'fail':>5}")
        for concurrency in concurrencies:
            count = requests if concurrency > 1 else max(2000, requests // 5)
            results = {}
            for name, port, raw in (
                ("upstream", upstream_port, direct),
                ("gateway", gateway_port, proxied),
            ):
                results[name] = r = uvloop.run(load(port, raw, count, concurrency))
                print(
                    f"{name:8} {concurrency:>4} {r['p50']:>8.3f} {r['p99']:>8.3f} "
                    f"{r['rps']:>8.0f} {r['failures']:>5.0f}"
                )
            up, gw = results["upstream"], results["gateway"]
            print(
                f"concurrency {concurrency}: gateway adds {gw['p50'] - up['p50']:.3f} ms at p50 "
                f"(x{gw['p50'] / up['p50']:.1f}), {gw['p99'] - up['p99']:.3f} ms at p99; "
                f"req/s ratio gateway/upstream {gw['rps'] / up['rps']:.2f}"
            )


if __name__ == "__main__":
    main()

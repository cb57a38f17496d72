"""aiohttp against httpx as the gateway's upstream client, on the same local upstream.

Each client posts the same chat body with orjson over a pooled keep-alive connection and
parses the JSON answer, at concurrency 1 and 32. The upstream runs in its own process.

    .venv/bin/python benchmarks/upstream_client.py [--requests 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx
import orjson
import uvloop

from lean_upstream import free_port, start_in_process

BODY = orjson.dumps(
    {"model": "bench-model", "messages": [{"role": "user", "content": "Say hello."}]}
)
HEADERS = {"content-type": "application/json", "authorization": "Bearer sk-bench"}

Post = Callable[[], Awaitable[dict[str, object]]]


async def run(post: Post, requests: int, concurrency: int) -> tuple[float, float]:
    """Returns (median latency in microseconds, requests per second)."""
    latencies: list[float] = []
    per_worker = requests // concurrency

    async def worker() -> None:
        for _ in range(per_worker):
            start = time.perf_counter()
            answer = await post()
            latencies.append(time.perf_counter() - start)
            assert answer["object"] == "chat.completion"

    for _ in range(50):  # warm the pool
        await post()
    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return statistics.median(latencies) * 1e6, len(latencies) / elapsed


async def with_aiohttp(url: str, requests: int, concurrency: int) -> tuple[float, float]:
    connector = aiohttp.TCPConnector(limit=256, keepalive_timeout=60)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def post() -> dict[str, object]:
            async with session.post(url, data=BODY, headers=HEADERS) as resp:
                return orjson.loads(await resp.read())

        return await run(post, requests, concurrency)


async def with_httpx(url: str, requests: int, concurrency: int) -> tuple[float, float]:
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(limits=limits) as client:

        async def post() -> dict[str, object]:
            resp = await client.post(url, content=BODY, headers=HEADERS)
            return orjson.loads(resp.content)

        return await run(post, requests, concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    port = free_port()
    upstream = start_in_process(port)
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    try:
        print(f"{'client':8} {'conc':>4} {'p50 µs':>9} {'req/s':>9}")
        results: dict[tuple[str, int], tuple[float, float]] = {}
        for concurrency in (1, 32):
            for name, fn in (("aiohttp", with_aiohttp), ("httpx", with_httpx)):
                p50, rps = uvloop.run(fn(url, args.requests, concurrency))
                results[name, concurrency] = p50, rps
                print(f"{name:8} {concurrency:>4} {p50:>9.0f} {rps:>9.0f}")
        for concurrency in (1, 32):
            a, h = results["aiohttp", concurrency], results["httpx", concurrency]
            print(
                f"concurrency {concurrency}: httpx/aiohttp p50 {h[0] / a[0]:.2f}x, "
                f"aiohttp/httpx req/s {a[1] / h[1]:.2f}x"
            )
    finally:
        upstream.terminate()
        upstream.join()


if __name__ == "__main__":
    main()

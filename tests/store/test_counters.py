"""Both counter backends, in process and the real Redis, give the same exact answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from agentshield.engines.ratelimit import Limit
from agentshield.store.counters import Counters, CountersUnavailable, open_counters
from support.config import closed_port
from support.redis import redis_url, unique_prefix


@pytest.fixture(params=["memory", "redis"])
async def counters(request: pytest.FixtureRequest) -> AsyncIterator[Counters]:
    url = redis_url() if request.param == "redis" else None
    backend = open_counters(url, unique_prefix())
    yield backend
    await backend.close()


def rpm(limit: int, key: str = "k", cost: int = 1) -> Limit:
    return Limit(key, "key", "requests", limit, cost)


def tpm(limit: int, cost: int, key: str = "t") -> Limit:
    return Limit(key, "tenant", "tokens", limit, cost)


async def test_charges_every_limit_or_none(counters: Counters) -> None:
    wide, narrow = rpm(3, "wide"), rpm(1, "narrow")
    assert (await counters.acquire([wide, narrow])).allowed
    refused = await counters.acquire([wide, narrow])
    assert not refused.allowed and refused.refused_by == narrow
    # The refusal charged `wide` nothing: two of its three remain.
    assert (await counters.acquire([wide])).allowed
    assert (await counters.acquire([wide])).allowed
    assert not (await counters.acquire([wide])).allowed


async def test_retry_after_is_the_exact_wait(counters: Counters) -> None:
    for _ in range(2):
        assert (await counters.acquire([rpm(2)])).allowed
    refused = await counters.acquire([rpm(2)])
    # 2 per minute: one comes back every 30 s, less the few ms this test took.
    assert 29_000 < refused.retry_after_ms <= 30_000
    assert (await counters.acquire([tpm(1000, 1000)])).allowed
    refused = await counters.acquire([tpm(1000, 100)])
    assert 5_000 < refused.retry_after_ms <= 6_000
    assert refused.statuses[0].remaining == 0


async def test_a_refused_call_passes_once_its_retry_after_has_passed(counters: Counters) -> None:
    fast = rpm(1200)  # one comes back every 50 ms
    for _ in range(1300):  # the burst, and what came back while it ran
        refused = await counters.acquire([fast])
        if not refused.allowed:
            break
    assert not refused.allowed and 0 < refused.retry_after_ms <= 50
    await asyncio.sleep(refused.retry_after_ms / 1000)
    assert (await counters.acquire([fast])).allowed


async def test_200_simultaneous_calls_against_100_let_exactly_100_through(
    counters: Counters,
) -> None:
    limits = [rpm(100, "r"), tpm(10_000, 100, "t")]
    decisions = await asyncio.gather(*(counters.acquire(limits) for _ in range(200)))
    assert sum(d.allowed for d in decisions) == 100
    refused = [d for d in decisions if not d.allowed]
    assert all(d.refused_by == limits[0] or d.refused_by == limits[1] for d in refused)


async def test_a_correction_gives_back_or_takes_tokens(counters: Counters) -> None:
    assert (await counters.acquire([tpm(1000, 800)])).allowed
    await counters.adjust([tpm(1000, -780)])  # reserved 800, used 20
    assert (await counters.acquire([tpm(1000, 900)])).allowed
    await counters.adjust([tpm(1000, 500)])  # used more than reserved: over the limit now
    refused = await counters.acquire([tpm(1000, 1)])
    assert not refused.allowed and refused.retry_after_ms > 20_000


async def test_remaining_and_reset_after_a_call(counters: Counters) -> None:
    decision = await counters.acquire([rpm(10), tpm(1000, 250)])
    requests, tokens = decision.statuses
    assert (requests.remaining, tokens.remaining) == (9, 750)
    assert requests.reset_ms == 6_000  # one request drains in 60 s / 10
    assert tokens.reset_ms == 15_000


async def test_redis_counters_expire_once_drained() -> None:
    prefix = unique_prefix()
    backend = open_counters(redis_url(), prefix)
    client = aioredis.Redis.from_url(redis_url())
    try:
        await backend.acquire([rpm(10, "a"), tpm(1000, 1000, "b")])
        assert 0 < await client.pttl(prefix + "rl:a") <= 6_000
        assert 0 < await client.pttl(prefix + "rl:b") <= 60_000
        await backend.adjust([tpm(1000, -1000, "b")])
        assert not await client.exists(prefix + "rl:b")  # nothing outstanding: nothing kept
    finally:
        await backend.close()
        await client.aclose()


async def test_unreachable_redis_raises_counters_unavailable() -> None:
    backend = open_counters(f"redis://127.0.0.1:{closed_port()}/0", unique_prefix())
    try:
        with pytest.raises(CountersUnavailable):
            await backend.acquire([rpm(10)])
    finally:
        await backend.close()

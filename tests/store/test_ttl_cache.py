"""TtlCache: one load for concurrent misses, expiry, forget racing a load, failures."""

from __future__ import annotations

import asyncio

import pytest

from agentshield.store.ttl_cache import TtlCache


class Source:
    """A value behind a slow read, counting the reads."""

    def __init__(self, value: str = "v1") -> None:
        self.value = value
        self.reads = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def load(self) -> str:
        self.reads += 1
        await self.gate.wait()
        await asyncio.sleep(0)
        return self.value


async def test_concurrent_misses_share_one_load() -> None:
    cache: TtlCache[str, str] = TtlCache(60)
    source = Source()
    source.gate.clear()
    waiting = [asyncio.ensure_future(cache.get("k", source.load)) for _ in range(32)]
    await asyncio.sleep(0)
    source.gate.set()
    assert await asyncio.gather(*waiting) == ["v1"] * 32
    assert source.reads == 1
    assert await cache.get("k", source.load) == "v1"
    assert source.reads == 1  # a hit


async def test_an_expired_entry_is_loaded_again() -> None:
    cache: TtlCache[str, str] = TtlCache(0.05)
    source = Source()
    assert await cache.get("k", source.load) == "v1"
    source.value = "v2"
    assert await cache.get("k", source.load) == "v1"
    await asyncio.sleep(0.06)
    assert await cache.get("k", source.load) == "v2"
    assert source.reads == 2


async def test_a_ttl_of_the_value_and_zero_keeps_nothing() -> None:
    cache: TtlCache[str, str | None] = TtlCache(lambda v: 60 if v is not None else 0)
    missing = Source()
    missing.value = None  # type: ignore[assignment]
    assert await cache.get("gone", missing.load) is None
    assert await cache.get("gone", missing.load) is None
    assert missing.reads == 2


async def test_forget_drops_entries_and_loads_under_way() -> None:
    cache: TtlCache[str, str] = TtlCache(60)
    a, b = Source("a1"), Source("b1")
    assert await cache.get("a", a.load) == "a1"
    assert await cache.get("b", b.load) == "b1"
    cache.forget(lambda key, _: key == "a")
    a.value = "a2"
    assert await cache.get("a", a.load) == "a2"
    assert await cache.get("b", b.load) == "b1"  # kept
    assert (a.reads, b.reads) == (2, 1)

    # A load that began before forget (it read the old row) is not stored, and a call after
    # forget does not join it, even when the old load finishes last.
    old_row, new_row = asyncio.Event(), asyncio.Event()

    async def read_old() -> str:
        await old_row.wait()
        return "a-old"

    async def read_new() -> str:
        await new_row.wait()
        return "a-new"

    cache.forget(lambda key, _: key == "a")
    early = asyncio.ensure_future(cache.get("a", read_old))
    await asyncio.sleep(0)
    cache.forget(lambda key, _: key == "a")
    late = asyncio.ensure_future(cache.get("a", read_new))
    new_row.set()
    assert await late == "a-new"
    old_row.set()
    assert await early == "a-old"
    assert await cache.get("a", read_old) == "a-new"


async def test_a_failed_load_reaches_every_waiter_and_is_not_kept() -> None:
    cache: TtlCache[str, str] = TtlCache(60)
    calls = 0

    async def failing() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        raise ConnectionError("database down")

    results = await asyncio.gather(
        *(cache.get("k", failing) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    assert calls == 1
    with pytest.raises(ConnectionError):
        await cache.get("k", failing)
    assert calls == 2


async def test_a_caller_that_goes_away_leaves_the_load_to_the_others() -> None:
    cache: TtlCache[str, str] = TtlCache(60)
    source = Source()
    source.gate.clear()
    first = asyncio.ensure_future(cache.get("k", source.load))
    second = asyncio.ensure_future(cache.get("k", source.load))
    await asyncio.sleep(0)
    first.cancel()
    source.gate.set()
    assert await second == "v1"
    assert first.cancelled()
    assert source.reads == 1


async def test_entries_are_bounded() -> None:
    cache: TtlCache[int, int] = TtlCache(60, max_entries=3)
    reads: list[int] = []

    def loader(n: int):  # type: ignore[no-untyped-def]
        async def load() -> int:
            reads.append(n)
            return n

        return load

    for n in range(5):
        assert await cache.get(n, loader(n)) == n
    assert await cache.get(4, loader(4)) == 4
    assert await cache.get(0, loader(0)) == 0  # the oldest went
    assert reads == [0, 1, 2, 3, 4, 0]

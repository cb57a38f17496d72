"""Rate-limit counters: in this process, or in Redis shared by every replica (DESIGN.md §4).

Both backends run `engines.ratelimit` on named counters and give the same answers: a call
is checked against all of its limits and charged to all of them, or to none, atomically.
`open_counters` picks the backend from configuration: Redis when a URL is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from agentshield.engines.ratelimit import Decision, Limit


class CountersUnavailable(Exception):
    """The shared counters cannot be reached (Redis down or timing out)."""


class Counters(Protocol):
    async def acquire(self, limits: Sequence[Limit]) -> Decision:
        """Charge each limit its cost if every one has room; otherwise charge nothing."""
        ...

    async def adjust(self, limits: Sequence[Limit]) -> None:
        """Charge each limit its cost (negative gives back) without checking: a correction."""
        ...

    async def close(self) -> None: ...


def open_counters(redis_url: str | None, prefix: str) -> Counters:
    if redis_url is None:
        from agentshield.store.counters.memory import MemoryCounters

        return MemoryCounters()
    from agentshield.store.counters.redis import RedisCounters

    return RedisCounters(redis_url, prefix)


__all__ = ["Counters", "CountersUnavailable", "open_counters"]

"""Counters in this process's memory: exact for one process, shared with no other.

The event loop runs one check-and-charge at a time with no await inside, which is what
makes it atomic. Drained counters are swept now and then so memory stays bounded.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from agentshield.engines.ratelimit import Decision, Limit, charge, decide, drain, ttl_ms

SWEEP_EVERY = 4096  # calls between sweeps of drained counters


def _now_ms() -> int:
    return time.monotonic_ns() // 1_000_000


class MemoryCounters:
    def __init__(self) -> None:
        # key -> (backlog, when it was computed, when it will have drained), in ms
        self._state: dict[str, tuple[int, int, int]] = {}
        self._calls = 0

    async def acquire(self, limits: Sequence[Limit]) -> Decision:
        now = _now_ms()
        decision = decide(limits, self._backlogs(limits, now))
        if decision.allowed:
            self._charge(limits, now)
        return decision

    async def adjust(self, limits: Sequence[Limit]) -> None:
        self._charge(limits, _now_ms())

    async def close(self) -> None:
        self._state.clear()

    def _backlogs(self, limits: Sequence[Limit], now: int) -> list[int]:
        backlogs = []
        for limit in limits:
            backlog, at, _ = self._state.get(limit.key, (0, now, now))
            backlogs.append(drain(backlog, now - at, limit.limit))
        return backlogs

    def _charge(self, limits: Sequence[Limit], now: int) -> None:
        for limit, backlog in zip(limits, self._backlogs(limits, now), strict=True):
            after = charge(backlog, limit.cost)
            self._state[limit.key] = (after, now, now + ttl_ms(after, limit.limit))
        self._calls += 1
        if self._calls % SWEEP_EVERY == 0:
            self._state = {k: v for k, v in self._state.items() if v[2] > now}

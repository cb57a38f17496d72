"""A bounded in-process cache whose entries expire, for what the request path reads often.

Concurrent misses of one key share one load: when an entry expires under load, the calls
that find it gone wait for a single read instead of each starting its own (32 concurrent
calls made 32 reads of the same rows, every TTL). A load that fails is not kept; each of
its waiters gets the error.

`forget` drops entries at once, and loads already running when it is called are neither
stored nor shared with later calls: a change committed before `forget` is always seen by
the calls that start after it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, ttl: float | Callable[[V], float], max_entries: int = 10_000) -> None:
        """`ttl` in seconds, or a function of the loaded value giving them (0: not kept)."""
        self._ttl = ttl
        self._max = max_entries
        self._entries: OrderedDict[K, tuple[V, float]] = OrderedDict()
        self._loading: dict[K, asyncio.Task[V]] = {}
        self._epoch = 0  # bumped by forget: a load begun before it stores nothing

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        entry = self._entries.get(key)
        if entry is not None and entry[1] > time.monotonic():
            return entry[0]
        task = self._loading.get(key)
        if task is None:
            task = asyncio.ensure_future(self._load(key, load, self._epoch))
            task.add_done_callback(_retrieve)  # its waiters may all have gone
            self._loading[key] = task
        # Shielded: a caller that goes away (a client disconnect) leaves the load to the rest.
        return await asyncio.shield(task)

    def forget(self, match: Callable[[K, V], bool]) -> None:
        """Drop the entries for which `match(key, value)` holds, and every load under way
        (what those will return is not known yet)."""
        self._epoch += 1
        self._loading.clear()
        for key in [key for key, (value, _) in self._entries.items() if match(key, value)]:
            del self._entries[key]

    async def _load(self, key: K, load: Callable[[], Awaitable[V]], epoch: int) -> V:
        # `epoch` is the one the load was asked in: the task may first run after a forget.
        try:
            value = await load()
        finally:
            if self._epoch == epoch:
                self._loading.pop(key, None)
        ttl = self._ttl(value) if callable(self._ttl) else self._ttl
        if self._epoch == epoch and ttl > 0:
            self._entries[key] = (value, time.monotonic() + ttl)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value


def _retrieve(task: asyncio.Task[object]) -> None:
    if not task.cancelled():
        task.exception()

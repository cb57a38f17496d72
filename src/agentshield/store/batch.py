"""Writes that leave the request path: items are queued in memory and flushed in batches.

`put()` only appends to a bounded in-memory queue; a background task hands batches to an
async `flush_fn` every `flush_interval` seconds, or sooner once `batch_size` items wait.
A failed batch goes back to the front of the queue and is retried with backoff, so items
are delayed, never lost, while the database is away. A full queue drops new items and
counts them: memory stays bounded and the request path never waits for the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


class BatchWriter(Generic[T]):
    """Call `put()` and the coroutines from the event loop's thread."""

    def __init__(
        self,
        flush_fn: Callable[[list[T]], Awaitable[None]],
        *,
        name: str,
        batch_size: int = 500,
        flush_interval: float = 0.5,
        queue_limit: int = 100_000,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
        close_timeout: float = 10.0,
    ) -> None:
        self.name = name
        self._flush_fn = flush_fn
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._queue_limit = queue_limit
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._close_timeout = close_timeout
        self._items: deque[T] = deque()
        self._wake = asyncio.Event()
        self._closing = asyncio.Event()
        self._writing = asyncio.Lock()  # one batch in flight, so batches land in queue order
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.dropped = 0

    @property
    def pending(self) -> int:
        return len(self._items)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"batch-writer-{self.name}"
            )

    def put(self, item: T) -> bool:
        """Queue `item`; False (and counted in `dropped`) when the queue is full or closed."""
        if self._closed or len(self._items) >= self._queue_limit:
            self.dropped += 1
            if self.dropped & (self.dropped - 1) == 0:
                # At the 1st, 2nd, 4th, 8th... drop: visible without flooding the log.
                state = "closed" if self._closed else f"full ({self._queue_limit} items)"
                log.warning("%s: queue %s, %d items dropped", self.name, state, self.dropped)
            return False
        self._items.append(item)
        if len(self._items) >= self._batch_size:
            self._wake.set()
        return True

    async def flush(self) -> None:
        """Write everything queued now; raises if a batch fails (its items stay queued)."""
        async with self._writing:
            while self._items:
                batch = [
                    self._items.popleft() for _ in range(min(self._batch_size, len(self._items)))
                ]
                try:
                    await self._flush_fn(batch)
                except BaseException:
                    self._items.extendleft(reversed(batch))
                    raise

    async def close(self) -> None:
        """Stop the background task and write what is left, retrying for `close_timeout`."""
        self._closed = True
        self._closing.set()
        self._wake.set()
        if self._task is not None:
            await self._task
        deadline = time.monotonic() + self._close_timeout
        delay = self._retry_initial
        while self._items:
            try:
                await self.flush()
            except Exception as exc:
                if time.monotonic() + delay > deadline:
                    log.error(
                        "%s: %d items not written at close (%s)",
                        self.name,
                        len(self._items),
                        type(exc).__name__,
                    )
                    return
                self._log_retry(exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)

    async def _run(self) -> None:
        delay = 0.0
        while not self._closing.is_set():
            event = self._closing if delay else self._wake
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), delay or self._flush_interval)
            self._wake.clear()
            if self._closing.is_set():
                return
            try:
                await self.flush()
                delay = 0.0
            except Exception as exc:
                delay = min(max(delay * 2, self._retry_initial), self._retry_max)
                self._log_retry(exc, delay)

    def _log_retry(self, exc: Exception, delay: float) -> None:
        # The exception's type only: database errors quote the statement's parameters.
        log.warning(
            "%s: writing %d items failed (%s), retrying in %.1fs",
            self.name,
            len(self._items),
            type(exc).__name__,
            delay,
        )

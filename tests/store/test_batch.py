"""BatchWriter: writes off the caller's path, in batches, losing nothing it accepted."""

from __future__ import annotations

import asyncio
import logging

import pytest

from agentshield.store.batch import BatchWriter


class Sink:
    """A flush_fn that records batches and fails its first `failures` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.batches: list[list[int]] = []
        self.calls = 0
        self.failures = failures
        self.written = asyncio.Event()

    async def __call__(self, items: list[int]) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("password=hunter2 host=db")
        self.batches.append(items)
        self.written.set()

    @property
    def items(self) -> list[int]:
        return [item for batch in self.batches for item in batch]

    async def until(self, count: int) -> None:
        async with asyncio.timeout(2):
            while len(self.items) < count:
                self.written.clear()
                await self.written.wait()


async def test_close_writes_everything_in_order() -> None:
    sink = Sink()
    writer = BatchWriter(sink, name="t", batch_size=7, flush_interval=3600)
    writer.start()
    assert all(writer.put(i) for i in range(100))
    async with asyncio.timeout(5):  # close does not wait for the next interval
        await writer.close()
    assert sink.items == list(range(100))
    assert max(len(b) for b in sink.batches) <= 7
    assert writer.pending == 0


async def test_a_full_batch_is_written_without_waiting_for_the_interval() -> None:
    sink = Sink()
    writer = BatchWriter(sink, name="t", batch_size=5, flush_interval=60)
    writer.start()
    for i in range(5):
        writer.put(i)
    assert sink.calls == 0  # put() never writes on the caller's path
    await sink.until(5)
    assert sink.items == [0, 1, 2, 3, 4]
    await writer.close()


async def test_the_interval_writes_a_partial_batch() -> None:
    sink = Sink()
    writer = BatchWriter(sink, name="t", batch_size=500, flush_interval=0.01)
    writer.start()
    writer.put(1)
    await sink.until(1)
    assert sink.items == [1]
    await writer.close()


async def test_a_failed_flush_keeps_its_items_and_is_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink = Sink(failures=2)
    writer = BatchWriter(sink, name="t", batch_size=4, flush_interval=0.01, retry_initial=0.01)
    writer.start()
    for i in range(10):
        writer.put(i)
    await sink.until(10)
    await writer.close()
    assert sink.items == list(range(10))  # nothing lost, nothing twice, still in order
    assert sink.calls >= 3
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2 and "ConnectionError" in retries[0]
    assert "hunter2" not in caplog.text


async def test_flush_raises_and_keeps_items_when_writing_fails() -> None:
    sink = Sink(failures=1)
    writer = BatchWriter(sink, name="t")
    writer.put(1)
    with pytest.raises(ConnectionError):
        await writer.flush()
    assert writer.pending == 1
    await writer.flush()
    assert sink.items == [1]


async def test_queue_limit_drops_and_counts(caplog: pytest.LogCaptureFixture) -> None:
    sink = Sink()
    writer = BatchWriter(sink, name="t", queue_limit=5)
    accepted = [writer.put(i) for i in range(8)]
    assert accepted == [True] * 5 + [False] * 3
    assert (writer.dropped, writer.pending) == (3, 5)
    assert caplog.records[0].levelno == logging.WARNING
    assert "dropped" in caplog.records[0].getMessage()
    await writer.close()
    assert sink.items == [0, 1, 2, 3, 4]
    assert writer.put(9) is False and writer.dropped == 4  # after close: refused, counted


async def test_close_gives_up_after_its_timeout_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink = Sink(failures=10**6)
    writer = BatchWriter(sink, name="t", retry_initial=0.01, close_timeout=0.05)
    writer.put(1)
    await writer.close()
    assert writer.pending == 1
    assert any(
        r.levelno == logging.ERROR and "not written" in r.getMessage() for r in caplog.records
    )

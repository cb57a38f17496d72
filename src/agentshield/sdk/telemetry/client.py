"""The telemetry client: batches ScanEvents and POSTs them, gzipped, from a daemon thread.

A batch leaves when it holds `batch_size` events or `flush_interval` seconds after the last
send, whichever is first. A failed POST (connection error, 408, 429, 5xx) is retried with
exponential backoff; other 4xx answers and exhausted retries drop the batch. The buffer is
bounded: when it is full the oldest event is dropped. `dropped` counts every lost event.
What is left is sent at interpreter exit, for at most `EXIT_BUDGET` seconds so an
unreachable endpoint cannot hold the process. Scanning never waits on the network.
"""

from __future__ import annotations

import atexit
import gzip
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from typing import Any

from agentshield.engines.injection.events import ScanEvent
from agentshield.sdk.telemetry.config import TelemetryConfig

log = logging.getLogger(__name__)
_RETRYABLE = {408, 425, 429}
EXIT_BUDGET = 10.0  # seconds


class TelemetryClient:
    def __init__(self, config: TelemetryConfig, *, user_agent: str = "agentshield-sdk") -> None:
        self.config = config
        self._user_agent = user_agent
        self._buffer: deque[dict[str, Any]] = deque()
        self._ready = threading.Condition()
        self._send_lock = threading.Lock()  # one batch on the wire at a time, in order
        self._thread: threading.Thread | None = None
        self._closed = False
        self.sent = 0
        self.dropped = 0

    @property
    def active(self) -> bool:
        return self.config.active

    def record(self, event: ScanEvent) -> None:
        if not self.active or self._closed:
            return
        with self._ready:
            if len(self._buffer) >= self.config.max_buffer:
                self._buffer.popleft()
                self.dropped += 1
            self._buffer.append(event.to_dict())
            if self._thread is None:
                self._start()
            if len(self._buffer) >= self.config.batch_size:
                self._ready.notify()

    def pending(self) -> int:
        with self._ready:
            return len(self._buffer)

    def flush(self, budget: float | None = None) -> None:
        """Send everything buffered now, in the caller's thread; after `budget` seconds
        what is still buffered is dropped (and counted)."""
        deadline = None if budget is None else time.monotonic() + budget
        while self._send_next(full_only=False, deadline=deadline):
            pass

    def close(self, budget: float = EXIT_BUDGET) -> None:
        deadline = time.monotonic() + budget
        with self._ready:
            self._closed = True
            self._ready.notify()
        if self._thread is not None:
            self._thread.join(timeout=budget)
        self.flush(max(0.0, deadline - time.monotonic()))

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="agentshield-telemetry", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def _run(self) -> None:
        deadline = time.monotonic() + self.config.flush_interval
        while True:
            with self._ready:
                self._ready.wait_for(
                    lambda: self._closed or len(self._buffer) >= self.config.batch_size,
                    timeout=max(0.0, deadline - time.monotonic()),
                )
                if self._closed:
                    return
                due = time.monotonic() >= deadline
            while self._send_next(full_only=not due):
                pass
            if due:
                deadline = time.monotonic() + self.config.flush_interval

    def _send_next(self, *, full_only: bool, deadline: float | None = None) -> bool:
        with self._send_lock:
            with self._ready:
                size = self.config.batch_size
                if not self._buffer or (full_only and len(self._buffer) < size):
                    return False
                if deadline is not None and time.monotonic() >= deadline:
                    self.dropped += len(self._buffer)
                    self._buffer.clear()
                    return False
                batch = [self._buffer.popleft() for _ in range(min(size, len(self._buffer)))]
            if self._post(batch, deadline):
                self.sent += len(batch)
            else:
                self.dropped += len(batch)
            return True

    def _post(self, batch: list[dict[str, Any]], deadline: float | None) -> bool:
        body = gzip.compress(json.dumps({"events": batch}, separators=(",", ":")).encode())
        request = urllib.request.Request(
            self.config.endpoint,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                "Authorization": f"Bearer {self.config.api_key}",
                "User-Agent": self._user_agent,
            },
        )
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                pause = self.config.backoff * 2 ** (attempt - 1)
                if deadline is not None and time.monotonic() + pause >= deadline:
                    break
                time.sleep(pause)
            try:
                with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                    response.read()
                return True
            except urllib.error.HTTPError as exc:
                exc.close()
                if exc.code < 500 and exc.code not in _RETRYABLE:
                    log.warning("telemetry refused %d events: HTTP %d", len(batch), exc.code)
                    return False
                reason = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                reason = str(getattr(exc, "reason", exc))
            log.debug("telemetry attempt %d failed: %s", attempt + 1, reason)
        log.warning("telemetry: dropped %d events, the endpoint did not accept them", len(batch))
        return False

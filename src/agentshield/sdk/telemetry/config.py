"""Telemetry settings from `AGENTSHIELD_TELEMETRY__*` environment variables.

Read with the standard library so the SDK needs none of the server's packages. Without an
API key (or with ENABLED false) the client is a no-op.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

PREFIX = "AGENTSHIELD_TELEMETRY__"
DEFAULT_ENDPOINT = "http://127.0.0.1:8080/v1/telemetry"  # the gateway's default address


BATCH_SIZE = 50
FLUSH_INTERVAL = 30.0  # seconds
MAX_BUFFER = 10_000  # events kept while the endpoint is unreachable
MAX_RETRIES = 3
BACKOFF = 0.5  # seconds before the first retry; doubles each time
TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class TelemetryConfig:
    api_key: str | None = None
    endpoint: str = DEFAULT_ENDPOINT
    enabled: bool = True
    project: str | None = None
    environment: str | None = None
    batch_size: int = BATCH_SIZE
    flush_interval: float = FLUSH_INTERVAL
    max_buffer: int = MAX_BUFFER
    max_retries: int = MAX_RETRIES
    backoff: float = BACKOFF
    timeout: float = TIMEOUT

    @property
    def active(self) -> bool:
        return self.enabled and bool(self.api_key)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TelemetryConfig:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(PREFIX + name)
            return value.strip() if value and value.strip() else None

        def number(name: str, default: float) -> float:
            value = get(name)
            try:
                return default if value is None else float(value)
            except ValueError:
                raise ValueError(f"{PREFIX}{name}={value!r} is not a number") from None

        enabled = (get("ENABLED") or "true").lower() not in {"0", "false", "no", "off"}
        return cls(
            api_key=get("API_KEY"),
            endpoint=get("ENDPOINT") or DEFAULT_ENDPOINT,
            enabled=enabled,
            project=get("PROJECT"),
            environment=get("ENVIRONMENT"),
            batch_size=max(1, int(number("BATCH_SIZE", BATCH_SIZE))),
            flush_interval=number("FLUSH_INTERVAL", FLUSH_INTERVAL),
            max_buffer=max(1, int(number("MAX_BUFFER", MAX_BUFFER))),
            max_retries=max(0, int(number("MAX_RETRIES", MAX_RETRIES))),
            backoff=number("BACKOFF", BACKOFF),
            timeout=number("TIMEOUT", TIMEOUT),
        )

"""Gateway settings for tests: providers on the local upstream, the mock, and a dead port."""

from __future__ import annotations

import socket
from typing import Any

from agentshield.settings import BudgetSettings, ProviderSettings, Settings, UsageSettings
from support.upstream import UpstreamServer

MAX_BODY = 64 * 1024
SLOW_TIMEOUT = 0.5  # the `sluggish` provider's timeout
# Gateways under test share their database with the store tests, whose leases are dated in
# the past (support.budget.NOW) and would be swept by a background sweep mid-test. The
# tests of the sweep itself set their own interval.
NO_SWEEP = BudgetSettings(sweep_interval=24 * 3600, lease_ttl=3 * 24 * 3600)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gateway_settings(database_url: str, upstream: UpstreamServer, **overrides: Any) -> Settings:
    """Models: gpt-4o-mini and text-embedding-3-small (`local`), slow-model (`sluggish`,
    times out after SLOW_TIMEOUT), mock-chat and mock-embed (`mock`), gone-model (`gone`,
    unreachable); alias `fast` -> gpt-4o-mini."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "providers": [
            ProviderSettings(
                name="local",
                base_url=upstream.url,
                models=["gpt-4o-mini", "text-embedding-3-small"],
            ),
            ProviderSettings(
                name="sluggish", base_url=upstream.url, models=["slow-model"], timeout=SLOW_TIMEOUT
            ),
            ProviderSettings(name="mock", type="mock", models=["mock-chat", "mock-embed"]),
            ProviderSettings(
                name="gone", base_url=f"http://127.0.0.1:{closed_port()}/v1", models=["gone-model"]
            ),
        ],
        "model_aliases": {"fast": "gpt-4o-mini"},
        "max_body_bytes": MAX_BODY,
        "usage": UsageSettings(flush_interval=0.05),
        "budget": NO_SWEEP,
    }
    return Settings(**(values | overrides))

"""SDK tests: one real model per session; telemetry goes to a real local receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentshield.engines.injection import InjectionDetector
from agentshield.sdk import Scanner
from agentshield.sdk.telemetry.client import TelemetryClient
from agentshield.sdk.telemetry.config import TelemetryConfig
from sdk.receiver import Receiver


@pytest.fixture(scope="session")
def detector() -> InjectionDetector:
    return InjectionDetector()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def scanner(detector: InjectionDetector) -> Scanner:
    """No telemetry key: the client is a no-op."""
    return Scanner(detector=detector, telemetry=TelemetryClient(TelemetryConfig()))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTSHIELD_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("API_KEY", "ENDPOINT", "ENABLED", "PROJECT", "ENVIRONMENT"):
        monkeypatch.delenv(f"AGENTSHIELD_TELEMETRY__{name}", raising=False)

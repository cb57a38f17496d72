"""One real model per session: every test here runs on real embeddings."""

from __future__ import annotations

import pytest

from agentshield.engines.injection import InjectionDetector
from agentshield.engines.injection.embedder import Embedder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def detector(embedder: Embedder) -> InjectionDetector:
    return InjectionDetector(embedder)

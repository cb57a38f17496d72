from __future__ import annotations

from collections.abc import Callable

import pytest

from agentshield.engines.pii import PiiScanner

Found = Callable[[str], list[tuple[str, str]]]


@pytest.fixture(scope="session")
def scanner() -> PiiScanner:
    return PiiScanner()


@pytest.fixture(scope="session")
def found(scanner: PiiScanner) -> Found:
    """(entity_type, the original text of its span) for every finding, in text order."""

    def run(text: str) -> list[tuple[str, str]]:
        return [(f.entity_type, text[f.start : f.end]) for f in scanner.scan(text).findings]

    return run

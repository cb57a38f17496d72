from __future__ import annotations

from collections.abc import Callable

import pytest

from agentshield.engines.pii import PiiScanner
from agentshield.engines.pii.views import Listing

Found = Callable[[str], list[tuple[str, str]]]
SSNS = ["536904399", "665123456", "123456789"]  # valid under the SSA's rules
PHONES = ["4155550132", "3125550100", "2125550147"]


def lines(listed: tuple[str, Listing] | None) -> list[str]:
    """The lines of a table's or JSON lists' view (tables.view, records.view)."""
    return listed[0].splitlines() if listed else []


@pytest.fixture(scope="session")
def scanner() -> PiiScanner:
    return PiiScanner()


@pytest.fixture(scope="session")
def found(scanner: PiiScanner) -> Found:
    """(entity_type, the original text of its span) for every finding, in text order."""

    def run(text: str) -> list[tuple[str, str]]:
        return [(f.entity_type, text[f.start : f.end]) for f in scanner.scan(text).findings]

    return run

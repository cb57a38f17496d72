from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner, StreamingRedactor
from agentshield.engines.pii.views import Listing

Found = Callable[[str], list[tuple[str, str]]]
SSNS = ["536904399", "665123456", "123456789"]  # valid under the SSA's rules
PHONES = ["4155550132", "3125550100", "2125550147"]
# A stream's chunk sizes (taken in turn) and held tails, for hypothesis.
CHUNK_SIZES = st.lists(st.integers(1, 40), min_size=1, max_size=8)
HOLDS = st.sampled_from([32, 64, 128])
STEPS = st.sampled_from([1, 32])  # a release at every chunk that lets one out; the default
# Rows of an SSN and a phone number, for the tables' streaming tests.
ROWS = st.lists(st.tuples(st.sampled_from(SSNS), st.sampled_from(PHONES)), max_size=12)


def streamed(redactor: StreamingRedactor, text: str, sizes: Sequence[int]) -> str:
    """What the redactor gives for `text` fed in chunks of `sizes` (in turn), then flushed."""
    out, pos, i = [], 0, 0
    while pos < len(text):
        out.append(redactor.feed(text[pos : pos + sizes[i % len(sizes)]]))
        pos, i = pos + sizes[i % len(sizes)], i + 1
    return "".join([*out, redactor.flush()])


def mapped(
    listed: tuple[str, Listing] | None, text: str, values: Sequence[str]
) -> list[tuple[str, tuple[str, ...]]]:
    """Where each value, found in a view of `text`, lies in `text`, and the tricks undone."""
    assert listed is not None
    body, where = listed
    found = []
    for value in values:
        at = body.index(value)
        start, end, tricks = where.locate(at, at + len(value))
        found.append((text[start:end], tricks))
    return found


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

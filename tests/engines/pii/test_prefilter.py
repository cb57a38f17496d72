"""The detector's Set holds looser forms of the patterns: each must match wherever its
pattern does, or a value would never be looked for."""

from __future__ import annotations

import re

import pytest
import re2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentshield.engines.pii import PiiScanner
from agentshield.engines.pii.prefilter import LONG, loosened

SET_PATTERNS = sorted({g.regex.pattern for g in PiiScanner()._detector._groups.values()})


def _examples(pattern: str) -> st.SearchStrategy[str]:
    try:
        re.compile(pattern)
    except re.error:  # RE2-only syntax (`\x{20}` in the turned triggers): random text only
        return st.text()
    return st.one_of(st.from_regex(pattern), st.text())


@pytest.mark.parametrize("pattern", SET_PATTERNS)
def test_a_loosened_pattern_matches_wherever_the_pattern_does(pattern: str) -> None:
    regex, loose = re2.compile(pattern), re2.compile(loosened(pattern))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_examples(pattern))
    def check(text: str) -> None:
        if regex.search(text) is not None:
            assert loose.search(text) is not None

    check()


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\b[13][1-9A-Z]{25,34}\b", f"(?:\\b[13](?:[1-9A-Z]){{{LONG},}}\\b)"),
        (r"a{0,63}@", "(?:(?:a){0,}\\@)"),
        (r"(?:x{2,40}y){1,3}", "(?:(?:(?:x){2,}y){1,3})"),
    ],
)
def test_bounds_above_long_are_dropped(pattern: str, expected: str) -> None:
    assert loosened(pattern) == expected


def test_short_bounds_stay() -> None:
    loose = re2.compile(loosened(r"\b\d{9}\b|\b[A-Z2-7]{16}\b"))
    assert loose.search("123456789") and loose.search("A" * 16)
    assert not loose.search("1234567890") and not loose.search("A" * 17)


def test_a_pattern_python_would_misread_stays_as_written() -> None:
    assert loosened("[[:alpha:]]{30,40}") == "[[:alpha:]]{30,40}"

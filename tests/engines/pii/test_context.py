"""Context words near a value: the quick RE2 check never hides a word the windows hold."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentshield.engines.pii.leet import leet_alternation
from agentshield.engines.pii.recognizer import FAR, NEAR, Recognizer
from agentshield.engines.pii.registry import build

WITH_CONTEXT = [r for r in build() if r.context]
VALUE = "4111111111111111"


def searched(rec: Recognizer, text: str, start: int, end: int) -> tuple[str, float] | None:
    """The definition: search the near window, then the far one."""
    words = re.compile(r"(?<![a-z])" + leet_alternation(rec.context) + r"(?![a-z])", re.I)
    for (before, after), boost in ((NEAR, rec.context_boost), (FAR, rec.context_boost / 2)):
        found = words.search(text[max(0, start - before) : start] + " " + text[end : end + after])
        if found:
            return found.group(0).lower(), boost
    return None


def pieces(rec: Recognizer) -> st.SearchStrategy[str]:
    words = st.sampled_from(rec.context)
    spelt = words.map(lambda w: w.replace("e", "3").replace("a", "4").upper())
    spaced = words.map(lambda w: w.replace(" ", "\x0b"))  # `re` reads it as \s, RE2 does not
    halves = words.flatmap(lambda w: st.sampled_from([w[: len(w) // 2], w[len(w) // 2 :]]))
    other = st.text(alphabet="abxyz _.-\t\x0b\n17|+$#İı", max_size=6)
    return st.one_of(words, spelt, spaced, halves, other, st.text(max_size=4))


@pytest.mark.parametrize("rec", WITH_CONTEXT, ids=lambda r: r.entity_type)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_context_near_is_the_window_search(rec: Recognizer, data: st.DataObject) -> None:
    before = "".join(data.draw(st.lists(pieces(rec), max_size=8)))
    after = "".join(data.draw(st.lists(pieces(rec), max_size=6)))
    text = before + VALUE + after
    start, end = len(before), len(before) + len(VALUE)
    assert rec.context_near(text, start, end) == searched(rec, text, start, end)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("reach" + VALUE + "me later", "reach me"),  # a phrase across the windows' join
        ("x" * 40 + "call" + " " * 20 + VALUE, "call"),  # a word cut by the window's start
        ("please c4ll me on " + VALUE, "c4ll"),
    ],
)
def test_context_words_found_at_the_window_edges(text: str, word: str) -> None:
    phone = next(r for r in WITH_CONTEXT if r.entity_type == "PHONE")
    start = text.index(VALUE)
    found = phone.context_near(text, start, start + len(VALUE))
    assert found is not None and found[0] == word
    assert found == searched(phone, text, start, start + len(VALUE))

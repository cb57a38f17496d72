"""Leetspeak-tolerant keywords: `p4ssw0rd` and `3m41l` still count as the words they spell.

The pattern text is in the common subset of RE2 and Python `re`, so keyword patterns (RE2)
and context windows (`re`) share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SUBSTITUTES = {
    "a": "a4@",
    "b": "b8",
    "e": "e3",
    "g": "g9",
    "i": "i1!|",
    "l": "l1|",
    "o": "o0",
    "s": "s5$",
    "t": "t7+",
    "z": "z2",
}
LEET_CHARS = frozenset("48301!|5$7+92@")


def _char(ch: str) -> str:
    subs = _SUBSTITUTES.get(ch.lower())
    if subs:
        return "[" + re.escape(subs) + "]"
    if ch == " ":
        return r"[\s_.-]?"
    return re.escape(ch)


def leet_word(word: str) -> str:
    """`pass` -> `[p][a4@][s5$][s5$]`: a regex for the word and its leetspeak spellings."""
    return "".join(_char(ch) for ch in word)


def leet_alternation(words: Iterable[str], *, bounded: bool = False) -> str:
    """One regex for all words, longest first ("password" before "pass").

    `bounded` adds RE2/`re` word boundaries at edges that are ASCII letters.
    """
    ordered = sorted(set(words), key=len, reverse=True)
    if not bounded:
        return "(?:" + "|".join(leet_word(w) for w in ordered) + ")"
    return "(?:" + "|".join(_bounded(w) for w in ordered) + ")"


def _bounded(word: str) -> str:
    head = r"\b" if word[0].isascii() and word[0].isalnum() else ""
    tail = r"\b" if word[-1].isascii() and word[-1].isalnum() else ""
    return head + leet_word(word) + tail

"""Leetspeak-tolerant keywords: `p4ssw0rd` and `3m41l` still count as the words they spell.

The pattern text is in the common subset of RE2 and Python `re`, so keyword patterns (RE2)
and context windows (`re`) share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from agentshield.engines.pii.confusables import CONFUSABLES

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
# Each leetspeak character back to a letter (`1`, `|` stand for `i` and `l`: read as `l`).
UNLEET = str.maketrans({c: letter for letter, subs in _SUBSTITUTES.items() for c in subs[1:]})
_DIGITS = frozenset("0123456789")


def as_read(word: str) -> str:
    """`word` as the detector meets it: text beyond ASCII is read normalised (normalise.py),
    its letters that imitate ASCII ones as those (`пароль` as `пapoлb`)."""
    return "".join(CONFUSABLES.get(ch, ch) for ch in word)


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


def leet_alternation(words: Iterable[str], *, opening: bool = False) -> str:
    """One regex for all words, longest first ("password" before "pass"). `opening`: for
    context words, which open with a letter or digit, not a mark (`$$n` is no "ssn"), so
    that the detector's Sets can find them on a word boundary (see `context_alternations`),
    and may take a plural (`phones`).
    """
    spelt = (_opening(w) + _plural(w) if opening else leet_word(w) for w in _longest_first(words))
    return "(?:" + "|".join(spelt) + ")"


def hump_alternation(words: Iterable[str]) -> str:
    """Context words after a camel case hump (`homePhone`, `customerSsn`): the first letter
    a capital, to follow a small letter; the rest as in `leet_alternation(opening=True)`.
    "" when no word opens with an ASCII letter."""
    spelt = [_humped(w) + _plural(w) for w in _longest_first(words) if _letter(w[0])]
    return "(?:" + "|".join(spelt) + ")" if spelt else ""


def context_alternations(words: Iterable[str]) -> tuple[str, str, str]:
    """RE2 forms of context words for the detector's Sets: the words with no word character
    before them, the words after `_` (`my_ssn`) and those after a camel case hump
    (`homePhone`). Together they find every word the recognizers' windows find (no ASCII
    letter or digit before it, or a small letter with the word opening with a capital; no
    small letter after it; opening with no mark: `leet_alternation(opening=True)`), but a
    word after a hump in a text where no key has one (below).

    They are three because the others would cost a Set that runs on every text: after each
    `_`, a random id builds DFA states at every character (+16% on new text). Apart, the
    second runs only on text holding a `_`, the third only on text where a key (the name
    before a `:`, `=` or `>`) holds a small letter before a capital (native/search.cpp);
    each is "" when no word opens with an ASCII letter (or digit, after `_`)."""
    ordered = _longest_first(words)
    spelt = [(w, _opening(w) + _plural(w) + _tail(w)) for w in ordered]
    free = "|".join((r"\b" if _alnum(w[0]) else "") + form for w, form in spelt)
    snake = "|".join("_" + form for w, form in spelt if _alnum(w[0]))
    humps = "|".join(
        "(?-i:[a-z])" + _humped(w) + _plural(w) + _tail(w) for w in ordered if _letter(w[0])
    )
    return (
        "(?:" + free + ")",
        "(?:" + snake + ")" if snake else "",
        "(?:" + humps + ")" if humps else "",
    )


def glued_digits(text: str, end: int) -> bool:
    """Whether the word ending at `end` ends on a digit that meets another (`5417` spells
    "salt", but not in `9954170`): digits may follow a word (`card4111`) but not its own."""
    return end < len(text) and text[end] in _DIGITS and text[end - 1] in _DIGITS


def _longest_first(words: Iterable[str]) -> list[str]:
    """The words as read (`as_read`), longest first: every form is built from these."""
    return sorted({as_read(w) for w in words}, key=len, reverse=True)


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _humped(word: str) -> str:
    """`leet_word(word)` with its first letter a capital, whatever the flags."""
    return "(?-i:" + word[0].upper() + ")" + leet_word(word[1:])


def _opening(word: str) -> str:
    """`leet_word(word)` with no mark for its first character."""
    first = "".join(c for c in _SUBSTITUTES.get(word[0].lower(), "") if c.isalnum())
    return ("[" + re.escape(first) + "]" if first else re.escape(word[0])) + leet_word(word[1:])


def _plural(word: str) -> str:
    """A context word ending in a letter may take a plural: JSON keys name lists
    (`"phones": [...]`, `"ssns"`)."""
    return "(?:es|s)?" if word[-1].isascii() and word[-1].isalpha() else ""


def _tail(word: str) -> str:
    """No small letter after a word ending in an ASCII letter or digit; digits may
    (`card4111`), and a capital may, as in a key in camel case (`"phoneNumber": …`)."""
    return "(?:[^A-Za-z]|(?-i:[A-Z])|$)" if _alnum(word[-1]) else ""

"""Normalisation before matching: NFKC, confusable skeletons, invisible characters, digits.

Only non-ASCII characters change, so ASCII text is its own normal form and costs one check.
The result maps every span back to the original text; the tricks undone inside a span
("nfkc", "confusable", "zero_width", "digits") are read off its original characters and
name the finding's evasion.
The whole text is translated and NFKC-normalised in C when NFKC keeps one character for
one (fullwidth, mathematical, circled forms); only texts where it changes lengths (`ﬁ`,
combining marks) are taken run by run.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import cache, lru_cache

from agentshield.engines.pii.confusables import CONFUSABLES
from agentshield.engines.pii.views import Chain, Locator, Segments

# Zero-width and format characters, bidi controls, variation selectors and tag characters.
_INVISIBLE_CLASS = (
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_LAST_DIGIT_BLOCK = 0x20000  # the last decimal digits of Unicode are 1FBF0-1FBF9
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_INVISIBLE = re.compile(_INVISIBLE_CLASS + "+")


@cache
def _digits() -> dict[int, str]:
    """Every non-ASCII decimal digit (Arabic-Indic, Devanagari, fullwidth, …) to 0-9."""
    return {
        cp: str(unicodedata.decimal(chr(cp)))
        for cp in range(0x80, _LAST_DIGIT_BLOCK)
        if unicodedata.category(chr(cp)) == "Nd"
    }


@cache
def _skeleton() -> dict[int, str]:
    return {ord(c): s for c, s in CONFUSABLES.items()}


def normalise(text: str) -> tuple[str, Locator] | None:
    """The normal form of `text` and its offset map, or None when nothing changes."""
    if text.isascii():
        return None
    removed = [m.span() for m in _INVISIBLE.finditer(text)]
    stripped = _INVISIBLE.sub("", text) if removed else text
    mapped = stripped.translate(_table())  # digits and confusables: one character for one
    aligned = Aligned(text, removed)
    if unicodedata.is_normalized("NFKC", mapped):
        return None if not removed and mapped == text else (mapped, aligned)
    if all(_one_to_one(run.group()) for run in _NON_ASCII.finditer(mapped)):
        return unicodedata.normalize("NFKC", mapped), aligned
    folded, pieces = _piecewise(mapped)
    return folded, Chain(pieces, aligned)


@cache
def _table() -> dict[int, str]:
    return {**_digits(), **_skeleton()}


@lru_cache(maxsize=4096)
def _one_to_one(run: str) -> bool:
    """Whether NFKC maps each character of `run` to one character, composing nothing."""
    return all(len(unicodedata.normalize("NFKC", c)) == 1 for c in run) and not any(
        unicodedata.combining(c) for c in run
    )


class Aligned:
    """The normal form when it is the original less invisible characters, one character
    for one: offsets shift by the invisible characters before them, and the tricks of a
    span are read off its original characters."""

    def __init__(self, text: str, removed: list[tuple[int, int]]) -> None:
        self._text = text
        self._removed = removed
        # View offsets where a removed run was, and how many were removed up to there.
        self._at: list[int] = []
        self._before: list[int] = []
        total = 0
        for start, end in removed:
            self._at.append(start - total)
            total += end - start
            self._before.append(total)

    def _orig(self, pos: int) -> int:
        i = bisect_right(self._at, pos) - 1
        return pos + (self._before[i] if i >= 0 else 0)

    def locate(self, start: int, end: int) -> tuple[int, int, tuple[str, ...]]:
        orig_start, orig_end = self._orig(start), self._orig(max(start, end - 1)) + 1
        tricks = set()
        for ch in self._text[orig_start:orig_end]:
            if ch.isascii():
                continue
            if _INVISIBLE.fullmatch(ch):
                tricks.add("zero_width")
            elif ord(ch) in _digits():
                tricks.add("digits")
            elif ord(ch) in _skeleton():
                tricks.add("confusable")
            elif unicodedata.normalize("NFKC", ch) != ch and not _typographic(ch):
                tricks.add("nfkc")
        return orig_start, orig_end, tuple(sorted(tricks))


def _typographic(ch: str) -> bool:
    """Whether NFKC changes `ch` as plain typography, no evasion: a space (no-break, thin
    or narrow: French writes numbers with them, `+33 1 42 68 53 00`) or an ordinal
    indicator (Spanish floors and numbers, `3º`, `1ª`)."""
    return ch in "\u00aa\u00ba" or unicodedata.category(ch) == "Zs"


def _piecewise(mapped: str) -> tuple[str, Segments]:
    """NFKC run by run, for texts where it changes lengths (`ﬁ` to `fi`, combining marks)."""
    out: list[str] = []
    segments = Segments()
    view = orig = 0  # next view offset; end of `mapped` copied so far
    for run in _NON_ASCII.finditer(mapped):
        folded = _nfkc(run.group())
        if folded == run.group():
            continue
        start = run.start()
        # A combining mark composes with the character before it: take that one along.
        if start > orig and unicodedata.combining(run.group()[0]):
            start -= 1
            folded = unicodedata.normalize("NFKC", mapped[start : run.end()])
        if start > orig:
            out.append(mapped[orig:start])
            segments.add(view, view + start - orig, orig, start, None)
            view += start - orig
        out.append(folded)
        segments.add(view, view + len(folded), start, run.end(), None)
        view += len(folded)
        orig = run.end()
    out.append(mapped[orig:])
    segments.add(view, view + len(mapped) - orig, orig, len(mapped), None)
    return "".join(out), segments


@lru_cache(maxsize=4096)
def _nfkc(run: str) -> str:
    return unicodedata.normalize("NFKC", run)

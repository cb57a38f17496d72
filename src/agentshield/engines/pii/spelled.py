"""Addresses spelled out to pass filters (`john dot smith [at] example [dot] com`), joined.

Such an address writes its `@` as `at` in brackets (`[at]`, `(at)`, `{at}`, `<at>`) and its
dots as `.` or `dot` (in brackets or between blanks). Written between blanks, `at` counts
only after a word asking for an address (`email`, `contact`, `write`, …, within 16
characters), and the domain's dots must be spelled too: `take a look at example dot com`
is prose. The detector's `spelled` trigger finds a mark spelled so (`[at]`, ` dot `);
only a text holding one is searched for addresses (RE2: linear in the text). The view
writes each word back as `@` or `.`, mapped to the words it replaces, and the email
recognizer reads it (a known top-level domain, as always).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import re2

from agentshield.engines.pii.views import Segments, replaced


def _spelled(word: str) -> tuple[str, str]:
    """`word` in brackets, and between blanks."""
    return (
        rf"[ \t]*[\[({{<][ \t]*(?i:{word})[ \t]*[\])}}>][ \t]*",
        rf"[ \t]+(?i:{word})[ \t]+",
    )


_AT, _BARE_AT = _spelled("at")
_DOT, _BARE_DOT = _spelled("dot")
_PART = r"[A-Za-z0-9][A-Za-z0-9_%+-]{0,63}"
_LABEL = r"[A-Za-z0-9-]{1,63}"
_SPELLED_DOT = rf"(?:{_DOT}|{_BARE_DOT})"
_ANY_DOT = rf"(?:\.|{_SPELLED_DOT})"
_LOCAL = rf"\b{_PART}(?:{_ANY_DOT}{_PART}){{0,8}}"
_ASKING = r"(?i:\b(?:e-?mail|mail|correo|courriel|contact|reach|write)\b)"
_TLD = r"[A-Za-z]{2,24}\b"
_ADDRESS = re2.compile(
    rf"(?P<bracketed>{_LOCAL}{_AT}{_LABEL}(?:{_ANY_DOT}{_LABEL}){{0,7}}{_ANY_DOT}{_TLD})"
    rf"|{_ASKING}[^\n]{{0,16}}?"
    rf"(?P<bare>{_LOCAL}{_BARE_AT}{_LABEL}(?:{_SPELLED_DOT}{_LABEL}){{0,7}}{_SPELLED_DOT}{_TLD})"
)
_BRACKETED, _BARE = _ADDRESS.groupindex["bracketed"], _ADDRESS.groupindex["bare"]
# Where a text may hold one: a mark spelled in brackets, or `dot` between blanks.
SPELLED_TRIGGER = r"[\[({<][ \t]*(?i:at|dot)[ \t]*[\])}>]|[ \t](?i:dot)[ \t]"
_WORDS = re.compile(rf"{_AT}|{_BARE_AT}|{_DOT}|{_BARE_DOT}")
_MARKS = {"at": "@", "dot": "."}


def addresses(text: str) -> Iterator[tuple[int, int]]:
    """Where `text` holds an address spelled out."""
    for found in _ADDRESS.finditer(text):
        yield found.span(_BRACKETED if found.group(_BRACKETED) else _BARE)


def spelled_view(text: str, start: int, end: int) -> tuple[str, Segments] | None:
    """The address `text[start:end]` (one of `addresses`), with `@` and `.` for the
    words spelling them; offsets map into `text`."""
    return replaced(text, start, end, _WORDS, _mark, "spelled_out")


def _mark(word: str) -> str:
    return _MARKS[word.strip(" \t[](){}<>").lower()]

"""Markdown's and HTML's marks around a key or its value, taken out.

Models write their answers in markdown (or HTML, in an e-mail's body): they bold a key,
its colon inside the marks or outside them (`**Password:** hunter22`, `**User**: jdoe`,
`<b>Password:</b> hunter22`), and put a value in a code span (`Username: `jdoe``,
`Session ID: <code>8f14e45f…</code>`). The marks then stand between the key and its
separator or value, where no keyed pattern expects them, and the value was missed. Such a
text is scanned without those marks (`**Password: hunter22`, `Username: jdoe`), each
finding mapped back to the text as it stands; the marks that open a key stay, and no
pattern minds them.
"""

from __future__ import annotations

import re

from agentshield.engines.pii.views import Segments, spliced

# Emphasis right before or after a colon (`__` for underscores: one alone is a name's,
# `snake_case:`), in markdown or HTML.
_TAG = r"</?(?:b|strong|em|i|u)>"
_EMPHASIS = rf"(?:\*{{1,3}}|_{{2,3}}|{_TAG})"
# A code span of one word after a colon and a blank, emphasis between them or not
# (`**User:** `jdoe``): the marks are its groups. Not a command (`password: `pass show
# db/prod``), nor a docstring's role (`:meth:`peek``, no blank).
_CODE = rf":({_EMPHASIS})?[ \t]+(?:(`)[^`\s]{{1,200}}(`)|(<code>)[^<\s]{{1,200}}(</code>))"
_MARKS = re.compile(rf"(?<=:){_EMPHASIS}|{_EMPHASIS}(?=:)|{_CODE}")


def marks_a_key(text: str) -> bool:
    """Whether such marks may stand next to a colon. A character that opens one is looked
    for first: `in` finds it with memchr, where two cost a search of the text each."""
    return (
        ("*" in text and (":*" in text or "*:" in text))
        or ("_" in text and "__" in text and (":__" in text or "__:" in text))
        or ("`" in text and ":" in text)
        or ("<" in text and (":<" in text or ">:" in text or ": <" in text))
    )


def view(text: str) -> tuple[str, Segments] | None:
    """The text without those marks, and where its pieces lie in `text`; None when it
    holds none."""
    edits = ((a, b, "") for found in _MARKS.finditer(text) for a, b in _marks(found))
    return spliced(text, edits, None, 0, len(text))


def _marks(found: re.Match[str]) -> list[tuple[int, int]]:
    """The marks of a match: a code span's groups, or the whole match (emphasis)."""
    return [found.span(g) for g in range(1, 6) if found.start(g) >= 0] or [found.span()]

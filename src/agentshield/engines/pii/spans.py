"""RE2 matching through the binding's RE2 object, where the wrapper's match objects cost
as much as the matching itself."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import re2

_UNANCHORED = re2._re2.RE2.Anchor.UNANCHORED


def match_spans(regex: Any, data: str | bytes) -> Iterator[Sequence[tuple[int, int]]]:
    """The group spans of each match (on bytes, through the binding)."""
    if isinstance(data, str):
        for match in regex.finditer(data):
            yield [match.span(i) for i in range(regex.groups + 1)]
        return
    search, pos, end = regex._regexp.Match, 0, len(data)
    while pos <= end:
        spans = search(_UNANCHORED, data, pos, end)
        if spans[0][0] < 0:
            return
        yield spans
        pos = spans[0][1] if spans[0][1] > pos else pos + 1


def search(regex: Any, data: bytes) -> Sequence[tuple[int, int]] | None:
    """The group spans of the first match, or None."""
    spans = regex._regexp.Match(_UNANCHORED, data, 0, len(data))
    return spans if spans[0][0] >= 0 else None

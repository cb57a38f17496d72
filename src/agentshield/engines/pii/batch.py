"""Many short texts scanned as one: joined with a separator nothing reaches across.

The per-call cost of a scan (a few RE2 passes, the result objects) dominates on short
messages, so they are joined, scanned once and their findings split back per text. Only up
to JOINED characters: every pattern that matches anywhere in a joined text searches all of
it again, which costs more than the calls it saves once texts are chat-sized (on the
benchmark's labelled corpus, ~390 characters a message, joining up to 768 characters rather
than the whole batch of 16 made `scan_batch` ~15% faster; ordinary chat ~5% slower). The
separator is longer than any context window and holds a NUL, which no pattern matches, so
a value or a context word never crosses from one text into the next. A match that runs on
into the separator's newlines (an unterminated PEM block) is cut at its text's end.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from agentshield.engines.pii.detector import Hit
from agentshield.engines.pii.recognizer import FAR

SEPARATOR = "\n" * (FAR[0] + 4) + "\x00" + "\n" * (FAR[0] + 4)
JOINED = 768


def groups(texts: Sequence[str], limit: int) -> Iterator[list[str]]:
    """Consecutive texts whose joined length stays within `limit`."""
    group: list[str] = []
    size = 0
    for text in texts:
        added = len(text) + (len(SEPARATOR) if group else 0)
        if group and size + added > limit:
            yield group
            group, size, added = [], 0, len(text)
        group.append(text)
        size += added
    if group:
        yield group


def members(joined: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of `SEPARATOR.join(texts)` between separators that hold `spans`, as
    (start, end) in order; a span across a separator takes the texts on both sides. For a
    text that is no batch: all of it, if any span is given."""
    found: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if found and start <= found[-1][1]:
            if end > found[-1][1]:
                found[-1] = (found[-1][0], _member_end(joined, end))
            continue
        before = joined.rfind(SEPARATOR, 0, start)
        found.append((0 if before < 0 else before + len(SEPARATOR), _member_end(joined, end)))
    return found


def _member_end(joined: str, pos: int) -> int:
    after = joined.find(SEPARATOR, pos)
    return len(joined) if after < 0 else after


def split(texts: Sequence[str], hits: Sequence[Hit]) -> list[list[Hit]]:
    """Hits of `SEPARATOR.join(texts)`, per text, with offsets into that text."""
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + len(SEPARATOR)
    out: list[list[Hit]] = [[] for _ in texts]
    for hit in hits:
        i = bisect_right(starts, hit.start) - 1
        base = starts[i]
        if hit.start < base + len(texts[i]):
            end = min(hit.end, base + len(texts[i]))
            value = hit.value
            if end < hit.end and len(value) == hit.end - hit.start:  # the value is the span
                value = value[: end - hit.start]
            out[i].append(replace(hit, start=hit.start - base, end=end - base, value=value))
    return out

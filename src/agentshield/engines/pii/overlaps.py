"""One finding per stretch of text: where findings overlap, the most certain one wins.

Order of preference: a specific entity over a generic high-entropy string, then the
higher score, then the longer span (a card number over the phone number inside it), then a
finding made without undoing an evasion.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable

from agentshield.engines.pii.detector import Hit

GENERIC = "HIGH_ENTROPY_SECRET"


def resolve(hits: Iterable[Hit]) -> list[Hit]:
    hits = list(hits)
    if len(hits) < 2:
        return hits
    ranked = sorted(
        hits,
        key=lambda h: (
            h.entity_type == GENERIC,
            -h.score,
            h.start - h.end,
            h.evasion is not None,
            h.start,
        ),
    )
    starts: list[int] = []
    kept: dict[int, Hit] = {}
    for hit in ranked:
        i = bisect_left(starts, hit.start)
        if i < len(starts) and starts[i] < hit.end:
            continue  # the next kept finding starts inside this one
        if i > 0 and kept[starts[i - 1]].end > hit.start:
            continue  # the previous kept finding runs into this one
        insort(starts, hit.start)
        kept[hit.start] = hit
    return [kept[s] for s in starts]

"""One finding per stretch of text: where findings overlap, the most certain one wins.

First, of findings of specific types on the same span, those whose context word comes
right before it (`Hit.keyed`: `"ssn": "536904399"`, `nhs 943 476 5919`) put out those
whose word is only after it or further, which in a list is often the next value's key
(`"phone": …`); a certain finding (score 1.0) stays. A key read from structure, a
table's column or a JSON list's key (`Hit.listed`: tables.py, markup.py, records.py), puts
out keys that are only near: in `[["name", "ssn", "phone"], ["Jane", "536904399", …]]`
every header word is near the first row. Then the order of preference: a specific entity
over a generic high-entropy string, then the higher score, then the longer span (a card
number over the phone number inside it), then a finding made without undoing an evasion.

A kept finding names the other types read on its span (`Hit.also`, and its explanation):
its redaction shows only what each reading's would (see hints.context_form), so a nine-
digit number read as both PHONE and US_SSN does not show its last four digits.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable

from agentshield.engines.pii.detector import Hit

GENERIC = "HIGH_ENTROPY_SECRET"


def resolve(hits: Iterable[Hit]) -> list[Hit]:
    """The findings kept, in text order. Each is this scan's own: its `also` and
    explanation are set in place."""
    hits = list(hits)
    if len(hits) < 2:
        return hits
    put_out: list[Hit] = []
    if any(h.keyed for h in hits):
        hits, put_out = _labelled(hits)
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
            _also(kept[starts[i]], hit)  # the next kept finding starts inside this one
            continue
        if i > 0 and kept[starts[i - 1]].end > hit.start:
            continue  # the previous kept finding runs into this one
        insort(starts, hit.start)
        kept[hit.start] = hit
    for hit in put_out:
        if hit.start in kept:
            _also(kept[hit.start], hit)
    found = [kept[s] for s in starts]
    for hit in found:
        if hit.also:
            hit.also = tuple(sorted(hit.also))
            hit.explanation = f"{hit.explanation}; also read as {', '.join(hit.also)}"
    return found


def _also(kept: Hit, other: Hit) -> None:
    """Note `other`'s type on `kept` when it read the same span as another type."""
    if (
        other.start == kept.start
        and other.end == kept.end
        and other.entity_type != kept.entity_type
        and other.entity_type not in kept.also
    ):
        kept.also = (*kept.also, other.entity_type)


def _labelled(hits: list[Hit]) -> tuple[list[Hit], list[Hit]]:
    """`hits` less those of a specific type, not certain, that share a span with one keyed
    by its own column or list (`Hit.listed`) and are not, or with one keyed and are not;
    and those."""
    keyed = {(h.start, h.end) for h in hits if h.keyed and h.entity_type != GENERIC}
    listed = {(h.start, h.end) for h in hits if h.keyed and h.listed and h.entity_type != GENERIC}
    stay: list[Hit] = []
    out: list[Hit] = []
    for h in hits:
        span = (h.start, h.end)
        named = h.keyed and h.listed if span in listed else h.keyed or span not in keyed
        if named or h.score >= 1.0 or h.entity_type == GENERIC:
            stay.append(h)
        else:
            out.append(h)
    return stay, out

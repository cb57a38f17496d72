"""A secret said again: once a text has given a value under its key (`password: hunter22`),
the same value later in it is that secret too (`then log in with hunter22`). Without its
key no pattern reads it, and a redacted answer would still show it.

Only the types a key makes (REPEATED) are looked for again, and only after the value's
first finding: a stream has let out what came before (streaming.py), and a stream must
redact as the whole text's scan does. A value found in an earlier text of the same
conversation (`known`) is looked for in the whole of a later one.

A value is looked for again only if it was read in the text as it stands (not decoded, not
in a table's view), has MIN_LENGTH characters or more, letters and digits, and is no name of
code (`_secret_like`); and only as a whole, not inside a longer word or number. A finding
in error is then not multiplied: in 9,000 files of documentation and code, a changelog that
once shows `PASSWORD=nodejs` names node's repository 1,921 times after it, and a name of
code read as a USERNAME (`user: Deprecated`, `handle: BinaryIO`) comes back in every
line that uses it. A password of letters only (`sunshine`) is the word of prose too.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

from agentshield.engines.pii.detector import Hit

REPEATED = frozenset({"PASSWORD", "USERNAME", "SESSION_ID", "AUTH_TOKEN", "HIGH_ENTROPY_SECRET"})
MIN_LENGTH = 6
_STANDARD = re.compile(r"[A-Z]+-?[0-9]+")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
# Distinct values looked for in one text, a search each: a text with more is a dump of
# keyed values, each of which its key finds.
MAX_VALUES = 64


def secrets(text: str, hits: Iterable[Hit], *, again: bool = False) -> dict[str, Hit]:
    """The values of `hits` (findings in `text`) worth looking for again, each with its
    first finding; with `again`, only those the text says again after it (`str.find`
    first: most values fail it, and are spared `_worth`)."""
    found: dict[str, Hit] = {}
    for hit in hits:
        value = hit.value
        if hit.entity_type not in REPEATED or value in found:
            continue
        if (not again or text.find(value, hit.end) >= 0) and _worth(text, hit):
            found[value] = hit
    return found


def _worth(text: str, hit: Hit) -> bool:
    """Whether the value of `hit`, a finding in `text`, is worth looking for again: written
    in the text as it was read, and `_secret_like`."""
    value = hit.value
    if len(value) < MIN_LENGTH or hit.evasion is not None or hit.listed:
        return False  # (listed: a view's header may head no column of values, as in C code)
    return text[hit.start : hit.end] == value and _secret_like(value)


class KnownSecrets:
    """The secrets found so far in one conversation (a request's messages, its answer), by
    value, each with its first finding. It holds values: it lives only for the request."""

    def __init__(self) -> None:
        self.first: dict[str, Hit] = {}

    def add(self, text: str, hits: Iterable[Hit]) -> None:
        """Remember the secrets among `hits`, findings in `text`."""
        for value, hit in secrets(text, hits).items():
            self.first.setdefault(value, hit)


def said_again(text: str, hits: list[Hit], known: KnownSecrets | None = None) -> list[Hit]:
    """Findings for the values of `hits` (a text's findings, resolved, in order) said again
    after their first finding, and for the `known` values anywhere in `text`; none where a
    finding of `hits` is (`hunter22@example.com` stays an e-mail address)."""
    first = secrets(text, hits, again=True)
    before = known.first if known is not None else {}
    if before:
        first.update(before)  # a value known before is looked for everywhere
    elif not first:
        return []
    starts = [h.start for h in hits]
    out = []
    for value in list(first)[:MAX_VALUES]:
        source = first[value]
        start = 0 if value in before else source.end
        while (start := text.find(value, start)) >= 0:
            end = start + len(value)
            if not _taken(hits, starts, start, end) and _whole(text, start, end):
                out.append(
                    Hit(
                        source.entity_type,
                        start,
                        end,
                        value,
                        source.score,
                        source.layer,
                        None,
                        f"the value of a {source.entity_type} found before, said again",
                    )
                )
            start = end
    return _apart(out) if len(first) > 1 else out


def _apart(hits: list[Hit]) -> list[Hit]:
    """`hits` in text order, less those overlapping an earlier one (two values may share
    characters: `ab12-cd34` and `cd34-ef56` in `ab12-cd34-ef56`)."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: h.start):
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def _secret_like(value: str) -> bool:
    """Whether `value` reads as a secret said again: letters and digits, as generated and
    chosen secrets mostly have and words of prose do not; not a name of code (`uint64_t`,
    `P11_KIT_URI_FOR_OBJECT`) nor a standard's (`PKCS-12`, `SHA256`), which come back in
    every line that uses them."""
    if "_" in value:
        return False
    if value.isalnum():  # (most: str's own tests, not a regex's call)
        if value.isdigit() or value.isalpha():
            return False
    elif _DIGIT.search(value) is None or _LETTER.search(value) is None:
        return False
    return not (value[0].isupper() and _STANDARD.fullmatch(value))


def _taken(hits: list[Hit], starts: list[int], start: int, end: int) -> bool:
    """Whether a finding of `hits` (in text order, apart) overlaps start:end."""
    i = bisect_right(starts, start) - 1
    if i >= 0 and hits[i].end > start:
        return True
    return i + 1 < len(hits) and hits[i + 1].start < end


def _whole(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is not part of a longer word or number."""
    if start > 0 and text[start].isalnum() and text[start - 1].isalnum():
        return False
    return not (end < len(text) and text[end - 1].isalnum() and text[end].isalnum())

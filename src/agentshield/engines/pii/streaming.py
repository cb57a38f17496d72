"""Redaction of a streamed text: feed chunks, get redacted text, hold back a bounded tail.

Text is released only up to a cut that splits neither a finding nor a word and leaves
`hold` characters behind it: a value split across two chunks is therefore seen whole
before any of it leaves. Each release scans what is held again, so text leaves in pieces
of at least `step` characters, not at every chunk (a model's chunk is some 4 characters:
released at each, a character of prose was scanned 35-38 times). The held tail never
grows past `max_hold` characters; past that the cut is forced and a value still growing
there is redacted as far as it has arrived (fail closed). A little of the released text is
kept as context so that a keyword just before the cut (`password:`) still counts: from the
start of its first line, and after the header of the table its last line is a row of (a
delimited table's header line, an HTML table's start tag and header row) or the heads of
the JSON objects and lists it is in (`{"customer": {"ssns": [`), so that a table's cells
and a list's items are read under their headers and keys however far those are behind
(see tables.py, markup.py, records.py).
"""

from __future__ import annotations

import re
from dataclasses import replace

from agentshield.engines.pii import markup, records, tables
from agentshield.engines.pii.detector import Hit
from agentshield.engines.pii.policy import Policy
from agentshield.engines.pii.public_keys import open_block
from agentshield.engines.pii.redaction import apply
from agentshield.engines.pii.repeats import KnownSecrets
from agentshield.engines.pii.restore import RestoreMap
from agentshield.engines.pii.result import PiiFinding
from agentshield.engines.pii.rules import RuleSet
from agentshield.engines.pii.scanner import PiiScanner

_LAST_BLANK = re.compile(r"\s\S*\Z")  # the last blank before the end searched to
# How much of a block of key material (public_keys.py) is kept as context: a certificate
# of an RSA key of 4,096 bits is some 2,000 characters; its lines are public only read
# from its start. (Each release scans it again: 8,192 keeps that to some 60 times a
# character of such a stream, as the context of tables keeps it to 30.)
KEY_MATERIAL = 8_192


class StreamingRedactor:
    def __init__(
        self,
        scanner: PiiScanner,
        *,
        policy: Policy | None = None,
        rules: RuleSet | None = None,
        restore_map: RestoreMap | None = None,
        hold: int = 128,
        step: int = 32,
        max_hold: int = 2048,
        context: int = 64,
        known: KnownSecrets | None = None,
    ) -> None:
        if hold < 1 or step < 1 or hold + step > max_hold or context < 0:
            raise ValueError(
                "need hold >= 1, step >= 1, hold + step <= max_hold and context >= 0, "
                f"not {hold}, {step}, {max_hold}, {context}"
            )
        self._scanner = scanner
        self._policy = policy or Policy()
        self._rules = rules
        self.restore_map = restore_map if restore_map is not None else RestoreMap()
        self._hold, self._step, self._max_hold, self._context = hold, step, max_hold, context
        self._released = ""  # tail of the text already released, for context only
        self._held = ""
        self._offset = 0  # stream offset of the first held character
        self._stuck = 0  # stream offset of the end of a finding that held a cut back
        self.findings: list[PiiFinding] = []
        # Secrets found so far (and before the stream, in its conversation): their values
        # are looked for again in the text after them (repeats.py).
        self.known = known if known is not None else KnownSecrets()

    def feed(self, chunk: str) -> str:
        self._held += chunk
        if len(self._held) < self._hold + self._step:
            return ""
        buffer, base = self._released + self._held, len(self._released)
        if len(self._held) <= self._max_hold:
            # Findings only move a cut back: with no place to cut `step` on, none after;
            # nor while the cut would fall in the finding that held the last one back.
            forced = len(buffer) - self._hold
            if self._offset + forced - base < self._stuck:
                return ""
            if _word_cut(buffer, forced, base) < base + self._step:
                return ""  # (most chunks of a long word or a table row: no scan)
        return self._release(buffer, base, final=False)

    def flush(self) -> str:
        return self._release(self._released + self._held, len(self._released), final=True)

    def _release(self, buffer: str, base: int, *, final: bool) -> str:
        """Scan `buffer` (the context kept, then the held tail from `base`) and release
        the held text up to a safe cut (all of it when `final`)."""
        hits = self._scanner.detect(
            buffer, rules=self._rules, min_score=self._policy.min_score, known=self.known
        )
        cut, passed = (len(buffer), 0) if final else self._safe_cut(buffer, hits, base)
        if hits:
            released = [h for h in hits if base <= h.start and h.end <= cut]
            self.known.add(buffer, released)
        if passed and cut - base < self._step:  # it would hold the next cut back too
            self._stuck = self._offset + passed - base
        emitted = [
            replace(h, start=max(h.start, base) - base, end=min(h.end, cut) - base)
            for h in hits
            if h.end > base and h.start < cut
        ]
        text, findings = apply(
            buffer[base:cut], emitted, self._policy, self.restore_map, offset=self._offset
        )
        self.findings += findings
        self._offset += cut - base
        self._released = _context(buffer, cut, self._context, self._max_hold)
        self._held = buffer[cut:]
        return text

    def _safe_cut(self, buffer: str, hits: list[Hit], base: int) -> tuple[int, int]:
        """The cut, and the end of the last finding it was moved back out of (0: none)."""
        forced = len(buffer) - self._hold
        cut, moved, passed = forced, -1, 0
        while moved != cut:  # a move back out of a word may land in a finding, and again
            moved = cut
            for hit in hits:
                if hit.start < cut < hit.end:
                    cut, passed = hit.start, max(passed, hit.end)
            cut = _word_cut(buffer, cut, base)
        if cut <= base and len(buffer) - base > self._max_hold:
            return forced, 0
        return max(cut, base), passed


def _word_cut(buffer: str, cut: int, base: int) -> int:
    """`cut` moved back to the start of the word it splits, if any, and before single
    characters between blanks: the word, the characters may be a value still arriving."""
    if cut > base and not _between_words(buffer, cut):
        blank = _LAST_BLANK.search(buffer, base, cut)  # (a long word: one search, not a loop)
        tags = buffer.rfind("><", base, cut)  # or between two tags: `</td>|<td>`
        cut = max(blank.start() + 1 if blank else base, tags + 1 if tags >= 0 else base)
    return _before_single_letters(buffer, cut, base)


def _between_words(buffer: str, cut: int) -> bool:
    """Whether `cut` splits no word: a blank on either side, or two tags of markup (an
    HTML row holds few blanks: its cuts were a row apart)."""
    before, after = buffer[cut - 1], buffer[cut]
    return before.isspace() or after.isspace() or (before == ">" and after == "<")


def _before_single_letters(buffer: str, cut: int, base: int) -> int:
    """Move a cut back over single characters between blanks (`j o h n @`): they may be
    the start of a spaced-out value."""
    while True:
        pos = cut
        while pos > base and cut - pos < 3 and buffer[pos - 1] in " \t":
            pos -= 1
        if pos - 1 < base or buffer[pos - 1].isspace():
            return cut
        if pos - 2 >= base and not buffer[pos - 2].isspace():
            return cut  # the end of a longer word
        cut = pos - 1


_CLOSING = frozenset(" \t\r\n,]}")


def _context(buffer: str, cut: int, size: int, bound: int) -> str:
    """What of `buffer[:cut]`, released, is kept to read the text after it: the last `size`
    characters, from the start of their line (in a long line of JSON, from a comma between
    items; or from the start of the JSON row they are in), after what heads them and lies
    before them: the heads of the JSON objects and lists open where they start, the header
    of the table the last of them is in (each within `bound`, so that every scan of the
    stream stays bounded), or the block of key material they are in from its armour's first
    line (public_keys.py; within KEY_MATERIAL)."""
    start = max(0, cut - size)
    line = buffer.rfind("\n", 0, start) + 1
    json = '"' in buffer and ("{" in buffer or "[" in buffer)  # a list may open later
    found = _json_heads(buffer, line, cut, size, bound) if json else None
    if found is not None:
        heads, start = found
    else:
        heads, row = _table_header(buffer, cut - 1, line)
        if not heads and not json:  # prose: a word `size` back will do
            start = _word_start(buffer, line, start)
            armour = open_block(buffer, start, KEY_MATERIAL - (cut - start))
            if armour >= 0:
                start = armour  # a certificate's lines are its own only from its start
        elif cut - row <= bound:  # a row from its first cell, which numbers its cells
            start = row
            for a, b in heads:  # and a header the row starts in (HTML's, ending here) whole
                if a < start < b and cut - a <= bound:
                    start = a
    kept = [(a, b) for a, b in heads if b <= start]
    if not kept or sum(b - a for a, b in kept) > bound:
        return buffer[start:cut]
    # What follows the heads starts a line where the text does: from within a line (a
    # comma, a row), a line of its own could pass for a table's header.
    joint = "\n" if start == 0 or buffer[start - 1] == "\n" else ""
    return "".join(buffer[a:b] for a, b in kept) + joint + buffer[start:cut]


def _word_start(buffer: str, line: int, pos: int) -> int:
    """The start of the word at `pos`, or of its line when a blank ends no word before it
    there (a value is never cut: a prose line is read from a word `size` characters back,
    not rescanned whole at every release)."""
    blank = _LAST_BLANK.search(buffer, line, pos)
    return blank.start() + 1 if blank else line


def _json_heads(
    buffer: str, line: int, cut: int, size: int, bound: int
) -> tuple[tuple[tuple[int, int], ...], int] | None:
    """The heads of the JSON objects and lists open where the context starts, and where
    that is: the line's start; in a longer line, the last comma between items at least
    `size` characters before the cut (the heads are carried: the rest of a line of JSON,
    up to `bound`, was scanned again at every release); or the start of the row open
    there (so that a row's items keep their places). None outside JSON."""
    start = line
    if cut - line > 2 * size:
        comma = records.path_of(buffer, cut - size).comma
        if comma is not None and comma > line and cut - comma <= bound:
            start = comma
        elif cut - line > bound:
            start = cut - size
    while start < cut and buffer[start] in _CLOSING:  # read from an item, not a `]` or `}`
        start += 1  # (a carried first row ends in its comma: `[[],` then `]` is no JSON)
    at = records.path_of(buffer, start)
    if not at.heads and at.row is None:
        return None
    if at.row is not None and cut - at.row <= bound:
        start = at.row  # the same heads: they stop before the outermost row open there
    return at.heads, start


def _table_header(buffer: str, pos: int, line: int) -> tuple[tuple[tuple[int, int], ...], int]:
    """What heads the table at `pos` (an HTML table's start tag and header row, or a
    delimited table's header line), and where the row at `pos` starts (its line, or an
    HTML row's start tag, if earlier); `line` where none is known."""
    if pos < 0:
        return (), line
    html = markup.header_of(buffer, pos) if "<" in buffer else None
    if html is not None:
        heads, row = html
        return heads, line if row is None else min(row, line)
    header = tables.header_of(buffer, pos)
    return ((header,) if header is not None else ()), line

"""The scan: the six layers over one text, findings mapped back to the original offsets.

For each text (and, depth-limited, each text derived from it):

1. normalisation: NFKC, confusables, invisible characters and non-ASCII digits are undone
   when the text is not ASCII (layer 6);
2. the detector's RE2 Sets run every recognizer (fast path, international IDs, entropy:
   layers 2-4) and the triggers that start the other layers, then the caller's custom
   rules run (layer 5);
3. encoded spans (base64, base64url, hex, URL-encoding, HTML character references),
   letters split by spaces and addresses spelled out (`john [at] example [dot] com`) are
   decoded or joined and scanned again as derived texts (layers 1 and 6);
4. the ROT13 and reversed forms of the text are scanned by the recognizers whose matches
   depend on letters (layer 1), each only when the pass of step 2 saw that one of their
   patterns can match it (see turned.py).

A text where markdown's or HTML's marks stand between a key and its value
(`**Password:** hunter22`, `User: `jdoe``) is scanned without them (see emphasis.py). A
text holding a delimited table (CSV, TSV, `|`), an HTML table, JSON lists or name and value
pairs is also scanned as a list of its cells or items, each under its column's header, its
list's key or its name (`ssn: 536904399`, see tables.py, markup.py, records.py and
pairs.py). Overlapping findings are
then resolved (see overlaps.py) and those under the policy's minimum score dropped. Last, a
secret's value said again after its key (or found in an earlier text of the conversation)
is found where it is said again (see repeats.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence

from agentshield.engines.pii import emphasis, lexicon, markup, pairs, records, stdnum_fast, tables
from agentshield.engines.pii.decoders import (
    ENCODED,
    ENCODED_LEAST,
    ENCODED_RUN,
    ESCAPED,
    REFERENCE,
    decode,
    reference_runs,
    reference_view,
    rot13,
    unescaped_view,
    url_view,
)
from agentshield.engines.pii.detector import Budget, Detector, Hit
from agentshield.engines.pii.errors import BatchTooLarge, InvalidText, TextTooLarge
from agentshield.engines.pii.layers import EVASION, NORMALISATION
from agentshield.engines.pii.memo import Memo, remembered
from agentshield.engines.pii.normalise import normalise
from agentshield.engines.pii.number_words import NUMBER_WORDS_TRIGGER, number_view
from agentshield.engines.pii.overlaps import GENERIC, resolve
from agentshield.engines.pii.policy import Policy, ScanLimits
from agentshield.engines.pii.redaction import apply
from agentshield.engines.pii.registry import build
from agentshield.engines.pii.repeats import KnownSecrets, said_again
from agentshield.engines.pii.restore import RestoreMap
from agentshield.engines.pii.result import PiiResult, made
from agentshield.engines.pii.risk import NO_RISK, assess_risk
from agentshield.engines.pii.rules import RuleSet
from agentshield.engines.pii.spacing import SPLIT_TRIGGER, collapse
from agentshield.engines.pii.spelled import SPELLED_TRIGGER, addresses, spelled_view
from agentshield.engines.pii.turned import turned_triggers
from agentshield.engines.pii.views import Chain, Identity, Listing, Locator, Reversed, Same, Whole

TRIGGERS = {
    "encoded": ENCODED,
    "url": r"(?:[^\s%]|%[0-9A-Fa-f]{2})*%[0-9A-Fa-f]{2}(?:[^\s%]|%[0-9A-Fa-f]{2})*",
    "references": REFERENCE,
    "escaped": ESCAPED,
    "split": SPLIT_TRIGGER,
    "spelled": SPELLED_TRIGGER,
    "number words": NUMBER_WORDS_TRIGGER,
}
TURNED = ("rot13", "reversed")
DECODING = frozenset({"base64", "base64url", "hex", "url", "html_entities", "rot13", "reversed"})
_SURROGATE = re.compile("[\ud800-\udfff]")
_DEFAULT_POLICY = Policy()
_ORIGIN = Identity()


class PiiScanner:
    """Built once (at start-up) from the enabled recognizer names; scans are then pure."""

    def __init__(
        self, recognizers: Iterable[str] | None = None, *, limits: ScanLimits | None = None
    ) -> None:
        enabled = build(recognizers)
        stdnum_fast.install()  # (start-up: the checks' stdnum modules are loaded now)
        self.limits = limits or ScanLimits()
        self.entity_types = tuple(r.entity_type for r in enabled)
        turned = [r for r in enabled if r.letter_sensitive]
        patterns = [p.regex for r in turned for p in r.patterns if p.turned]
        self._detector = Detector(
            enabled,
            [*TRIGGERS.items(), *turned_triggers(patterns)],
            sieved={"encoded"},
            enclosing=("encoded", ENCODED_RUN, ENCODED_LEAST),
        )
        self._turned = Detector(turned)
        self._chance = {r.entity_type: r for r in turned if r.turned_by_chance}
        self._opaque = remembered(_opaque)
        lexicon.words()  # read now (~30 ms), not in the first scan a recognizer asks for it

    def prepare(self, text: str | bytes) -> str:
        """The text a scan works on: decoded, within limits, encodable. Offsets refer to it."""
        limit = self.limits.max_text_chars
        if isinstance(text, bytes | bytearray):
            if len(text) > 4 * limit:
                raise TextTooLarge(len(text), limit)
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as exc:
                if self.limits.invalid_utf8 == "refuse":
                    raise InvalidText(f"text is not valid UTF-8 (byte {exc.start})") from exc
                text = bytes(text).decode("utf-8", "replace")
        if len(text) > limit:
            raise TextTooLarge(len(text), limit)
        if not text.isascii() and _SURROGATE.search(text):
            # Lone surrogates (JSON "\ud800") cannot be encoded; U+FFFD keeps every offset.
            text = _SURROGATE.sub("\ufffd", text)
        return text

    def detect(
        self,
        text: str | bytes,
        *,
        rules: RuleSet | None = None,
        min_score: float = 0.5,
        known: KnownSecrets | None = None,
    ) -> list[Hit]:
        """Findings with their values, for use within the request only; `known`: secrets
        found before in the same conversation, looked for again (see repeats.py)."""
        return self._detect(self.prepare(text), rules, min_score, known)

    def _detect(
        self,
        prepared: str,
        rules: RuleSet | None,
        min_score: float,
        known: KnownSecrets | None = None,
    ) -> list[Hit]:
        hits: list[Hit] = []
        text, where = prepared, _ORIGIN
        tags = "<" in prepared
        # (Most texts hold no mark's character: no call.)
        if tags or "*" in prepared or "_" in prepared or "`" in prepared:
            text, where = _unmarked(prepared, _ORIGIN)  # in its place: one scan
        budget = Budget(self.limits.max_candidates)
        self._scan(text, where, 0, rules, budget, hits, min_score)
        if where is not _ORIGIN and rules is not None:  # a tenant's rule may match the marks
            hits += rules.run(prepared, budget)[0]
        table = "\n" in prepared
        lists = "[" in prepared and '"' in prepared
        # (pairs.py: lines of YAML or JSON's quotes first, which memchr finds)
        named = (table or '"' in prepared) and "value" in prepared and "name" in prepared
        if table or lists or tags or named:  # most texts hold none: no call
            kinds = (table, lists, tags, named)
            listed, listings = self._structured(prepared, kinds, rules, min_score)
            hits = _read_in_place(hits, listed, listings) + listed
        if hits:
            hits = resolve([h for h in hits if h.score >= min_score])
        # A secret said again, after its key or in a later text (a KnownSecrets is always
        # true: its values tell).
        if hits or (known is not None and known.first):
            again = said_again(prepared, hits, known)
            if again:
                hits = sorted(hits + again, key=lambda h: h.start)
        return hits

    def _structured(
        self,
        text: str,
        kinds: tuple[bool, bool, bool, bool],
        rules: RuleSet | None,
        min_score: float,
    ) -> tuple[list[Hit], list[Listing]]:
        """Hits in the text's tables (delimited or HTML), JSON lists and name and value
        pairs (`kinds`: whether it may hold each), read value by value under their keys:
        each view a second reading of the text, with a candidate budget of its own; and
        the listings (where the values they list lie) of the views that may overrule the
        text as it stands (see _read_in_place). A name and value pair's view only adds: a
        form's `<input type="password" name="pw" value="…">` is a password, though `pw`
        names none."""
        found: list[Hit] = []
        listings: list[Listing] = []
        table, lists, tags, named = kinds
        views = (
            (tables.view(text) if table else None, True),
            (markup.view(text) if tags else None, True),
            (records.view(text) if lists else None, True),
            (pairs.view(text) if named else None, False),
        )
        for view, overrules in views:
            if view is not None:  # each value under its own label only (`lines`)
                budget = Budget(self.limits.max_candidates)
                self._scan(*_unmarked(*view), 1, rules, budget, found, min_score, lines=True)
                if overrules:
                    listings.append(view[1])
        for hit in found:
            hit.listed = True
        return found, listings

    def scan(
        self,
        text: str | bytes,
        *,
        policy: Policy | None = None,
        rules: RuleSet | None = None,
        restore_map: RestoreMap | None = None,
    ) -> PiiResult:
        policy = policy or _DEFAULT_POLICY
        prepared = self.prepare(text)
        hits = self._detect(prepared, rules, policy.min_score)
        return self._result(prepared, hits, policy, restore_map)

    def scan_batch(
        self,
        texts: Sequence[str | bytes],
        *,
        policy: Policy | None = None,
        rules: RuleSet | None = None,
        restore_map: RestoreMap | None = None,
        known: KnownSecrets | None = None,
    ) -> list[PiiResult]:
        """One result per text, in order, the texts' placeholders from one restore map.
        With `known`, the texts are one conversation: a secret found in one (a password
        after its key) is looked for in those after it, and `known` keeps each so found
        for the texts of the next call (repeats.py)."""
        if len(texts) > self.limits.max_batch:
            raise BatchTooLarge(len(texts), self.limits.max_batch)
        policy = policy or _DEFAULT_POLICY
        prepared = [self.prepare(t) for t in texts]
        if restore_map is None and policy.uses_restore:
            restore_map = RestoreMap()  # one request, one map
        results = []
        for text in prepared:
            hits = self._detect(text, rules, policy.min_score, known)
            if known is not None and hits:
                known.add(text, hits)
            results.append(self._result(text, hits, policy, restore_map))
        return results

    def _result(
        self, text: str, hits: list[Hit], policy: Policy, restore_map: RestoreMap | None
    ) -> PiiResult:
        if not hits:
            return made(PiiResult, ((), text, NO_RISK, restore_map))
        if (
            restore_map is None
            and policy.uses_restore  # (most policies: no look at each finding)
            and any(policy.mode_for(h.entity_type) == "restore" for h in hits)
        ):
            restore_map = RestoreMap()
        redacted, findings = apply(text, hits, policy, restore_map)
        return made(PiiResult, (tuple(findings), redacted, assess_risk(findings), restore_map))

    def _scan(
        self,
        text: str,
        where: Locator,
        depth: int,
        rules: RuleSet | None,
        budget: Budget,
        out: list[Hit],
        min_score: float,
        *,
        lines: bool = False,
    ) -> None:
        normal = None if text.isascii() else normalise(text)
        if normal is not None:
            text, where = normal[0], Chain(normal[1], where)
        hits, triggers = self._detector.run(text, budget, min_score, lines=lines)
        if rules is not None:
            rule_hits, rule_triggers = rules.run(text, budget)
            hits += rule_hits
            for name, spans in rule_triggers.items():
                triggers.setdefault(name, []).extend(spans)
        # (Their spans in `text`, before relocation moves them: see _read_already.)
        read: Sequence[tuple[int, int]] = ()
        if hits and ("rot13" in triggers or "reversed" in triggers):
            read = [(h.start, h.end) for h in hits if h.entity_type != GENERIC]
        if hits:
            out.extend(hits if where is _ORIGIN else [_relocated(h, where) for h in hits])
        if not triggers or depth >= self.limits.max_decode_depth:
            return
        derived = _derived(text, triggers, self._opaque)
        for _, (child, locator) in zip(range(self.limits.max_decoded_spans), derived, strict=False):
            child_at = Chain(locator, where)
            self._scan(child, child_at, depth + 1, rules, budget, out, min_score, lines=lines)
        for trick in TURNED:
            if trick not in triggers:
                continue
            if rules is None and _read_already(triggers[trick], read):
                continue
            if trick == "rot13":
                turned, locator = rot13(text), Same(trick)
            else:
                turned, locator = text[::-1], Reversed(len(text))
            hits, _ = self._turned.run(turned, budget, min_score, lines=lines)
            if hits:
                hits = self._not_by_chance(hits, trick, turned, text, locator, lines)
            if rules is not None:
                hits += rules.run(turned, budget)[0]
            out.extend(_relocated(hit, Chain(locator, where)) for hit in hits)

    def _not_by_chance(
        self, hits: list[Hit], trick: str, turned: str, text: str, locator: Locator, lines: bool
    ) -> list[Hit]:
        """`hits` in `turned`, the `trick` view of `text`, less what reads as an entity there
        by chance: a key in leetspeak (hex: `0xC4F5: 1917` in ROT13 is `0kP4S5: 1917`), and
        the values of Recognizer.turned_by_chance with no context word, in the view (the
        whole text was turned) or by the value in `text` (the value alone: `mi DNI es
        Z87654321`), which adds its boost."""
        kept = []
        for hit in hits:
            if hit.evasion is not None:  # leetspeak, the one evasion a detector names
                continue
            rec = self._chance.get(hit.entity_type)
            if rec is None or trick not in rec.turned_by_chance:
                kept.append(hit)
                continue
            if rec.context_near(turned, hit.start, hit.end, lines) is not None:
                kept.append(hit)
                continue
            start, end, _ = locator.locate(hit.start, hit.end)
            near = rec.context_near(text, start, end, lines)
            if near is not None:
                word, boost, hit.keyed = near
                hit.score = min(1.0, hit.score + boost)
                hit.explanation += f"; context '{word}' +{boost:.2f} in the text"
                kept.append(hit)
        return kept


def _read_already(spans: list[tuple[int, int]], read: Sequence[tuple[int, int]]) -> bool:
    """Whether each span where a turned view could find a value lies in a value found in
    the text as it stands (`read`, of a type more specific than a random string's): then
    the view is not built. ROT13 keeps every character in its place, and the view's
    patterns match it exactly where their ROT13 forms, the triggers, matched the text
    (turned.py): a value found in the view would lie in one found already, whose redaction
    covers it. The ROT13 form of an e-mail address's or an IBAN's pattern is the pattern
    itself, so every text holding one had its view built, for readings that are almost
    never valid (`yv.qbr@tybork.vb`). The reversed triggers are the patterns backwards
    less their leading runs (turned._lead_trimmed): a value the view found there would
    read backwards the characters of one read already (`li.chen@example.org` is the
    address `gro.elpmaxe@nehc.il`), and could run past it only by what was left out. The
    reversed address trigger opens with its `@`, so every address in the clear built the
    reversed view (new labelled text 2.1% fewer instructions without). A
    HIGH_ENTROPY_SECRET covers nothing: a bitcoin address hidden by ROT13 reads as one in
    the clear."""
    return all(any(a <= start and end <= b for a, b in read) for start, end in spans)


def _unmarked(text: str, where: Locator) -> tuple[str, Locator]:
    """`text` without markdown's or HTML's marks between its keys and values, if it holds
    any (emphasis.py), and its locator."""
    plain = emphasis.view(text) if emphasis.marks_a_key(text) else None
    if plain is None:
        return text, where
    return plain[0], plain[1] if where is _ORIGIN else Chain(plain[1], where)


def _read_in_place(hits: list[Hit], listed: list[Hit], listings: list[Listing]) -> list[Hit]:
    """`hits` of the text as it stands, less those inside a value a view lists (a table's
    cell, a JSON list's item) that its view, reading the value under its own label, did not
    find as that type: their context word was in another cell (`| call | 530933205 |`, a
    header over another column). Findings made by undoing an evasion stay: a view decodes
    one level less deep."""
    if not listings:  # no view listed anything (most texts with a line break)
        return hits
    same = {(h.entity_type, h.start, h.end) for h in listed}
    doubtful = [
        h for h in hits if h.evasion is None and (h.entity_type, h.start, h.end) not in same
    ]
    if not doubtful:  # most: the view found each on the same span
        return hits
    values = sorted(value for listing in listings for value in listing.values())
    starts = [a for a, _ in values]

    def value_of(start: int, end: int) -> int:  # the index of the value holding the span, or -1
        i = bisect_right(starts, start) - 1
        return i if i >= 0 and end <= values[i][1] else -1

    found = {(h.entity_type, value_of(h.start, h.end)) for h in listed}
    out = {
        id(h)
        for h in doubtful
        if (k := value_of(h.start, h.end)) >= 0 and (h.entity_type, k) not in found
    }
    return [h for h in hits if id(h) not in out] if out else hits


def _opaque(token: str) -> bool:
    """Whether an encoded-looking token hides no text. (Most that do not, hashes, ids and
    long words, the compiled finder drops: the detector sieves the "encoded" trigger.)"""
    return decode(token) is None


def _derived(
    text: str, triggers: dict[str, list[tuple[int, int]]], opaque: Memo[bool]
) -> Iterator[tuple[str, Locator]]:
    for start, end in triggers.get("encoded", ()):
        token = text[start:end]
        if token.isdigit():  # a long number (a card's, an id): neither hex nor base64 of text
            continue
        decoded = None if opaque(token) else decode(token)
        if decoded is not None:
            yield decoded[0], Whole(start, end, decoded[1])
    for start, end in triggers.get("url", ()):
        if (view := url_view(text, start, end)) is not None:
            yield view
    if "references" in triggers:  # (rare: no generator built for most texts)
        for start, end in reference_runs(text, triggers["references"]):
            if (view := reference_view(text, start, end)) is not None:
                yield view
    if "escaped" in triggers:  # one view, from the first escape to the last
        escapes = triggers["escaped"]
        if (view := unescaped_view(text, escapes[0][0], escapes[-1][1])) is not None:
            yield view
    for start, end in triggers.get("split", ()):
        yield collapse(text, start, end)
    if "spelled" in triggers:
        for start, end in addresses(text):
            if (view := spelled_view(text, start, end)) is not None:
                yield view
    for start, end in triggers.get("number words", ()):
        if (view := number_view(text, start, end)) is not None:
            yield view


def _relocated(hit: Hit, where: Locator) -> Hit:
    """`hit`, found in a derived text, moved to its place in the original. It is this
    scan's own: it changes in place (`dataclasses.replace` took 1.1 µs a hit, the
    assignments 0.02 µs; a table view relocates every finding in it)."""
    hit.start, hit.end, tricks = where.locate(hit.start, hit.end)
    if tricks:
        if hit.evasion:
            tricks += (hit.evasion,)
        hit.layer = EVASION if DECODING.intersection(tricks) else NORMALISATION
        hit.evasion = "+".join(tricks)
    return hit

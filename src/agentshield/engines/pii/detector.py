"""The fast path: every pattern of every enabled recognizer in two RE2 passes over the text.

Two RE2 Sets tell, in one linear pass each, which patterns match anywhere (they hold looser
forms of the patterns, see prefilter.py); only those run again to find where, so ordinary
text costs two passes however many recognizers are enabled (a third, small one for context
words after `_`, only over text holding one; another over each base64-like run, for the
patterns that match only inside one). RE2 keeps every pattern linear in time, whatever the
text.

This module builds the patterns and entries; the compiled core (native/, module `_finder`)
runs them: the Sets, the searches, and each candidate's assessment (edges, context words,
the recognizer's remembered checks, which stay in Python, and the score). A candidate is
refused as cheaply as it can be: a check is skipped when even the best context could not
lift the candidate to min_score, and context is looked up before a check when only context
could. Calling back into Python per candidate cost more than the matching itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from agentshield.engines.pii._finder import Finder
from agentshield.engines.pii.errors import TooManyCandidates
from agentshield.engines.pii.layers import NORMALISATION
from agentshield.engines.pii.leet import LEET_CHARS, context_alternations
from agentshield.engines.pii.memo import Memo, remembered
from agentshield.engines.pii.policy import MIN_SCORE
from agentshield.engines.pii.prefilter import keyword_led, loosened, opening, run_length
from agentshield.engines.pii.recognizer import Pattern, Recognizer

Spans = dict[str, list[tuple[int, int]]]
# A value's verdict: the score and note of its checks for the whole value, or with the
# sub-span they kept; None when it is not the entity.
_Verdict = tuple[float, str] | tuple[int, int, tuple[float, str]] | None


@dataclass(slots=True)
class Hit:
    """A finding while the request lasts: it still holds the value."""

    entity_type: str
    start: int
    end: int
    value: str
    score: float
    layer: str
    evasion: str | None
    explanation: str
    keyed: bool = False  # a context word of its type right before it: a key or a label
    also: tuple[str, ...] = ()  # the other types read on the same span (see overlaps.py)
    listed: bool = False  # found in a table or JSON lists view (tables, markup, records)


class Budget:
    """Candidate matches one scan may examine, across all its views."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit


@dataclass(frozen=True, slots=True)
class _Entry:
    recognizer: Recognizer | None
    pattern: Pattern | None
    trigger: str | None  # set for the patterns that start other layers
    ceiling: float = 1.0  # best score without context
    context: int = -1  # Set index of the recognizer's context words, or _NO_WORDS/_UNGATED
    note: str = ""  # the explanation's first part
    check: Memo[_Verdict] | None = None  # the recognizer's checks on a value (see memo.py)
    sieved: bool = False  # a trigger whose spans count only where they may hide text

    def native(self) -> tuple[object, ...]:
        """The entry as the compiled finder takes it (see native/module.cpp)."""
        rec = self.recognizer
        if rec is None:
            return (1.0, -1, self.trigger, 0, None, None, 0.0, *(None,) * 7, self.sieved)
        return (
            self.ceiling,
            self.context,
            None,
            _edges(rec, self.pattern),
            rec.context_words,
            rec,
            rec.context_boost,
            self.note,
            self.check,
            rec.entity_type,
            rec.layer,
            rec.refused if _places(rec) else None,
            self.pattern.place if self.pattern else None,
            self.pattern.screen if self.pattern else None,
            False,
        )


class Detector:
    """Recognizers (and named trigger patterns that start other layers) over one text.

    Identical regexes (`\\b\\d{9}\\b` serves four ID types) run once. Context words are in
    the Set too: a pattern that needs context to reach the minimum score does not run when
    none of its recognizer's context words is in the text.
    """

    def __init__(
        self,
        recognizers: Sequence[Recognizer],
        triggers: Iterable[tuple[str, str]] = (),
        *,
        sieved: Collection[str] = (),
        enclosing: tuple[str, str, int] | None = None,
        max_mem: int = 64 << 20,
    ) -> None:
        """`sieved`: the triggers whose spans count only where they may hide text, as hex
        or base64 (decoders.may_hide_text, judged natively). `enclosing`: a trigger, a
        class and a length, the trigger's spans being every run of the class at least that
        long (decoders.ENCODED): a pattern whose every match is such a run or lies in one
        (prefilter.run_length) is in no Set, and is searched only inside those spans."""
        sets = _Sets()
        by_regex: dict[str, list[_Entry]] = {}
        for rec in recognizers:
            context = _NO_WORDS if not rec.context else _UNGATED
            if rec.context and _gated(rec):
                context = sets.add_context(rec.context)
            for pattern in rec.patterns:
                check = remembered(_check(rec, pattern))
                by_regex.setdefault(pattern.regex, []).append(
                    _Entry(rec, pattern, None, rec.ceiling(pattern), context, _note(pattern), check)
                )
        for name, regex in triggers:
            by_regex.setdefault(regex, []).append(_Entry(None, None, name, sieved=name in sieved))
        self._groups: dict[int, _Group] = {}
        inside = _inside(by_regex, enclosing)
        for regex, entries in by_regex.items():
            if regex not in inside:
                self._groups[sets.add(regex)] = _Group(regex, tuple(entries))
        outer = {group.regex: index for index, group in self._groups.items()}
        for regex, (container, least) in inside.items():
            within = (outer[container], least)
            self._groups[sets.add_inside(regex)] = _Group(regex, tuple(by_regex[regex]), within)
        self._finder = sets.finder(self._groups, max_mem)

    def run(
        self, text: str, budget: Budget, min_score: float = 0.0, *, lines: bool = False
    ) -> tuple[list[Hit], Spans]:
        """Hits at or above `min_score`, and the spans of each trigger by name; with
        `lines`, context counts only on a value's line (see Recognizer.context_near)."""
        hits, triggers, count = self._finder.scan(text, min_score, budget.left, lines)
        budget.left -= count
        if budget.left < 0:
            raise TooManyCandidates(budget.limit)
        return hits, triggers


class _Sets:
    """The patterns of four RE2 Sets, each pattern in one (see prefilter.py) and a pattern
    matching nothing in its place in the others, so all number the patterns alike, in the
    order added. The third holds only context words after `_`, and runs only on text
    holding one; the fourth only those after a camel case hump, and runs only on text
    where a key holds one (see leet.context_alternations); the fifth the patterns
    searched inside another's matches, and runs on each of those (Detector's `enclosing`).

    A Set whose DFA runs out of memory returns "no match" instead of falling back, so each
    ends with an always-matching sentinel; when one is missing, the finder runs every
    pattern (fail closed). The sentinel is `\\A`, which matches once: an empty
    pattern matches at every byte, which doubled a Set's pass.
    """

    def __init__(self) -> None:
        self._patterns: list[list[str]] = [[] for _ in _SENTINELS]

    def add(self, regex: str) -> int:
        if keyword_led(regex):
            return self._add({_KEYWORDS: loosened(regex)})
        return self._add({_SHAPES: loosened(regex, kinds_alike=True)})

    def add_context(self, words: Sequence[str]) -> int:
        """Context words: in the keyword Set on a word boundary, in the third after `_`, in
        the fourth after a camel case hump."""
        free, snake, humps = context_alternations(words)
        forms = {_KEYWORDS: "(?i)" + free}
        if snake:
            forms[_AFTER_UNDERSCORE] = "(?i)" + snake
        if humps:
            forms[_AFTER_HUMP] = "(?i)" + humps
        return self._add(forms)

    def add_inside(self, regex: str) -> int:
        """A pattern searched inside another's matches: in the Set run on each of them."""
        return self._add({_INSIDE: loosened(regex, kinds_alike=True)})

    def _add(self, forms: dict[int, str]) -> int:
        for k, patterns in enumerate(self._patterns):
            patterns.append(forms.get(k, _NOTHING))  # RE2 compiles _NOTHING away
        return len(self._patterns[0]) - 1

    def finder(self, groups: dict[int, _Group], max_mem: int) -> Finder:
        sets = [
            (only, [*p, end])
            for p, end, only in zip(self._patterns, _SENTINELS, _ONLY_WITH, strict=True)
            if any(pattern != _NOTHING for pattern in p)  # a Set with nothing to find: none
        ]
        found = [(None, [], None, None)] * len(self._patterns[0])
        for index, group in groups.items():
            entries = [e.native() for e in group.entries]
            found[index] = (group.regex, entries, opening(group.regex), group.within)
        return Finder(sets, found, max_mem, (Hit, NORMALISATION, "".join(sorted(LEET_CHARS))))


_NOTHING = r"[^\x00-\x{10ffff}]"
_NO_WORDS, _UNGATED = -1, -2  # an entry's context, when not a Set index (native/finder.h)
_KEYWORDS, _SHAPES, _AFTER_UNDERSCORE, _AFTER_HUMP, _INSIDE = range(5)  # the Sets, in order
_SENTINELS = (r"\A",) * 5  # the last pattern of each Set
_HUMP = "\x01"  # a key holding a small letter, then a capital (native/finder.h, kHumps)
_IN_MATCHES = "\x02"  # run inside another pattern's matches, not on the text (kInside)
_ONLY_WITH = (None, None, "_", _HUMP, _IN_MATCHES)  # what a text must hold for the Set to run


@dataclass(frozen=True, slots=True)
class _Group:
    """One distinct regex and the entries it serves."""

    regex: str
    entries: tuple[_Entry, ...]
    # The index of the pattern whose matches hold every match of this one, and the fewest
    # characters of one (Detector's `enclosing`); None: the Sets look for it.
    within: tuple[int, int] | None = None


def _inside(
    by_regex: dict[str, list[_Entry]], enclosing: tuple[str, str, int] | None
) -> dict[str, tuple[str, int]]:
    """The regexes searched only inside the `enclosing` trigger's spans, each with the
    trigger's regex and the fewest characters of one of its matches."""
    if enclosing is None:
        return {}
    trigger, run, least = enclosing
    container = next(
        r for r, entries in by_regex.items() if any(e.trigger == trigger for e in entries)
    )
    out = {}
    for regex in by_regex:
        length = None if regex == container else run_length(regex, run)
        if length is not None and length >= least:
            out[regex] = (container, length)
    return out


def _gated(rec: Recognizer) -> bool:
    """Whether the recognizer's context words go in the Sets, to run its patterns that
    need one (to reach the usual minimum score) only on text holding one. Leaving out the
    words that gate nothing, and IN_AADHAAR's (Recognizer.gated), cut new text 2.1% and a
    new scanner's first pass 4.8% (pii_instructions.py); a tenant's higher minimum runs
    more patterns, with the same findings."""
    return rec.gated and any(rec.ceiling(pattern) < MIN_SCORE for pattern in rec.patterns)


def _trims(rec: Recognizer) -> bool:
    """Whether the recognizer tries shorter spans of a match (Recognizer.spans)."""
    return type(rec).spans is not Recognizer.spans


def _places(rec: Recognizer) -> bool:
    """Whether a value's place may refuse it (Recognizer.refused): called per value."""
    return bool(rec.not_after) or type(rec).refused is not Recognizer.refused


def _edges(rec: Recognizer, pattern: Pattern | None) -> int:
    """Where the compiled finder refuses what is glued to more of the same (native/
    finder.h, Edges): nowhere, the match, or the span the checks keep, when they may keep
    less than the match. The pattern's `free_edges` overrides the recognizer."""
    if not rec.strict_edges or (pattern is not None and pattern.free_edges):
        return 0
    return 2 if _trims(rec) else 1


def _note(pattern: Pattern) -> str:
    return f"pattern '{pattern.name}' ({pattern.score:.2f})"


def _checked(rec: Recognizer, pattern: Pattern, value: str) -> _Verdict:
    for a, b in rec.spans(value):
        if pattern.refuse is not None and pattern.refuse(value[a:b]):
            continue
        verdict = rec.assess(value[a:b], pattern)
        if verdict is not None:
            return a, b, verdict
    return None


def _check(rec: Recognizer, pattern: Pattern) -> Callable[[str], _Verdict]:
    """A value's checks (native/assess.cpp): None when it is not this entity, else the
    score and note for the whole value or (start, end, (score, note)) for the span they keep.
    Most recognizers judge the value whole with no refusal of the pattern's: the memo then
    calls `assess` itself, with no frame of ours between (new text -0.3%)."""
    if pattern.refuse is None and not _trims(rec):
        return partial(rec.assess, pattern=pattern)
    return partial(_checked, rec, pattern)

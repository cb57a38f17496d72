"""A regex from examples: what `POST /v1/pii/patterns/generate` offers the user to save.

Each positive example is cut into runs (digits, upper-case letters, lower-case letters) and
single punctuation characters. Examples with the same shape merge into one pattern: a run
becomes its character class with the lengths seen (`\\d{6}`), or a literal when several
examples share its letters (`EMP-`). Candidates go from general to specific; the most
general one that rejects every negative example wins. Examples of different shapes
become an alternation (at most MAX_SHAPES).

Confidence = (1 - 0.5 ** positives) * 0.8 if an alternation was needed, * 0.9 when no
negative example constrained it, rounded to two places.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agentshield.engines.pii.errors import InvalidRule
from agentshield.engines.pii.rules import compile_pattern, try_pattern

MAX_SHAPES = 5
_RUN = re.compile(r"\d+|[A-Z]+|[a-z]+|.", re.S)
_CLASSES = {"d": r"\d", "u": "[A-Z]", "l": "[a-z]", "a": "[A-Za-z]"}
_SAMPLES = {"d": "0123456789", "u": "QWERTYUIOPASDFGHJKLZ", "l": "qwertyuiopasdfghjklz"}
_SAMPLES["a"] = "QwErTyUiOpAsDfGhJkLz"


@dataclass(frozen=True, slots=True)
class GeneratedPattern:
    pattern: str
    confidence: float
    should_match: tuple[str, ...]
    should_not_match: tuple[str, ...]
    explanation: str


def _kind(token: str) -> str:
    if token.isdigit() and token.isascii():
        return "d"
    if token.isascii() and token.isalpha():
        return "u" if token.isupper() else "l"
    return "=" + token


def _shape(example: str) -> tuple[str, ...]:
    return tuple(_kind(t) for t in _RUN.findall(example))


@dataclass(frozen=True, slots=True)
class _Slot:
    kind: str  # "d", "u", "l", "a", or "=<literal>"
    texts: tuple[str, ...]

    def regex(self, literals: str, letters: bool) -> str:
        if self.kind.startswith("="):
            return re.escape(self.kind[1:])
        constant = len(set(self.texts)) == 1
        if constant and (literals == "all" or (literals == "letters" and self.kind in "ul")):
            return re.escape(self.texts[0])
        kind = "a" if letters and self.kind in "ul" else self.kind
        lo, hi = min(map(len, self.texts)), max(map(len, self.texts))
        count = f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"
        return _CLASSES[kind] + count

    def sample(self, length_from: str, literals: str) -> str:
        if self.kind.startswith("="):
            return self.kind[1:]
        if len(set(self.texts)) == 1 and (
            literals == "all" or (literals == "letters" and self.kind in "ul")
        ):
            return self.texts[0]
        n = len(min(self.texts, key=len)) if length_from == "min" else len(max(self.texts, key=len))
        alphabet = _SAMPLES[self.kind]
        return (alphabet * (n // len(alphabet) + 1))[:n]


def _slots(examples: Sequence[str]) -> list[_Slot]:
    runs = [_RUN.findall(e) for e in examples]
    return [_Slot(_kind(column[0]), tuple(column)) for column in zip(*runs, strict=True)]


def _bounded(body: str, slots: list[_Slot]) -> str:
    first, last = slots[0].kind, slots[-1].kind
    start = r"\b" if not first.startswith("=") or first[1:].isalnum() else ""
    end = r"\b" if not last.startswith("=") or last[1:].isalnum() else ""
    return start + body + end


def _pattern(groups: list[list[_Slot]], literals: str, letters: bool) -> str:
    bodies = [
        _bounded("".join(s.regex(literals, letters) for s in slots), slots) for slots in groups
    ]
    return bodies[0] if len(bodies) == 1 else "(?:" + "|".join(bodies) + ")"


def generate_pattern(positives: Sequence[str], negatives: Sequence[str] = ()) -> GeneratedPattern:
    positives = [p for p in dict.fromkeys(positives) if p]
    if not positives:
        raise InvalidRule(["give at least one non-empty positive example"])
    shapes: dict[tuple[str, ...], list[str]] = {}
    for example in positives:
        shapes.setdefault(_shape(example), []).append(example)
    if len(shapes) > MAX_SHAPES:
        raise InvalidRule([f"examples have more than {MAX_SHAPES} different shapes"])
    groups = [_slots(examples) for examples in shapes.values()]
    # Most general first; the first that rejects every negative wins. Letters shared by
    # several examples (`EMP-`) are taken as meant and kept.
    shared = "letters" if len(positives) > 1 else "none"
    for literals, letters in ((shared, True), (shared, False), ("all", False)):
        pattern = _pattern(groups, literals, letters)
        if try_pattern(pattern, positives, negatives).ok:
            break
    else:
        pattern = "(?:" + "|".join(re.escape(p) for p in positives) + ")"
        if not try_pattern(pattern, positives, negatives).ok:
            raise InvalidRule(["no pattern separates these positives from the negatives"])
    compile_pattern(pattern)
    confidence = 1 - 0.5 ** len(positives)
    confidence *= 0.8 if len(groups) > 1 else 1.0
    confidence *= 1.0 if negatives else 0.9
    matching, not_matching = _test_strings(pattern, groups, literals)
    return GeneratedPattern(
        pattern,
        round(confidence, 2),
        matching,
        not_matching,
        f"{len(positives)} example(s) in {len(groups)} shape(s); "
        f"{len(negatives)} negative example(s) rejected",
    )


def _test_strings(
    pattern: str, groups: list[list[_Slot]], literals: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    compiled = compile_pattern(pattern)
    candidates: list[str] = []
    for slots in groups:
        for length_from in ("min", "max"):
            candidates.append("".join(s.sample(length_from, literals) for s in slots))
        longest = "".join(s.sample("max", literals) for s in slots)
        candidates.append(longest + longest[-1])  # one character too many
        candidates.append(longest[:-1])  # one too few
        candidates.append("".join("x" if c.isdigit() else "7" for c in longest))  # wrong classes
    matching = tuple(dict.fromkeys(c for c in candidates if compiled.fullmatch(c)))
    not_matching = tuple(dict.fromkeys(c for c in candidates if not compiled.search(c)))
    return matching, not_matching

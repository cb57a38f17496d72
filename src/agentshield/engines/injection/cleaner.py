"""ZEDD's heuristic cleaner: the text with every matched instruction taken out.

A benign text matches no rule and comes back unchanged (its drift is exactly 0); an
injected one loses the instruction and what it carries, so its meaning moves. The cleaner
also strips what hides text from a reader (HTML comments, invisible elements, zero-width
characters, base64 blobs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentshield.engines.injection.rules import RULES, Rule, ruleset_digest

METHOD = "heuristic"
_CLAUSE_END = re.compile(r"[.!?](?=\s|$)|\n")
_SPACES = re.compile(r"[ \t]{2,}")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class Match:
    rule: Rule
    start: int
    end: int  # of the text the cleaner removes, which may run past the pattern


class HeuristicCleaner:
    method = METHOD

    def __init__(self, rules: tuple[Rule, ...] = RULES) -> None:
        self.rules = rules

    @property
    def identity(self) -> str:
        return f"{METHOD}:{ruleset_digest(self.rules)}"

    def matches(self, text: str) -> list[Match]:
        found: list[Match] = []
        for rule in self.rules:
            for hit in rule.pattern.finditer(text):
                if hit.end() > hit.start():
                    found.append(Match(rule, hit.start(), _extent(text, hit, rule)))
        return found

    def clean(self, text: str, matches: list[Match] | None = None) -> str:
        found = self.matches(text) if matches is None else matches
        if not found:
            return text
        kept: list[str] = []
        position = 0
        for start, end in _merge((m.start, m.end) for m in found):
            kept.append(text[position:start])
            position = end
        kept.append(text[position:])
        cleaned = _SPACES.sub(" ", "".join(kept))
        return _BLANK_LINES.sub("\n\n", cleaned).strip()


def _extent(text: str, hit: re.Match[str], rule: Rule) -> int:
    if rule.scope == "span":
        return hit.end()
    if rule.scope == "block":
        newline = text.find("\n", hit.end())
        return len(text) if newline < 0 else newline
    stop = _CLAUSE_END.search(text, hit.end())
    return len(text) if stop is None else stop.end()


def _merge(spans: object) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # type: ignore[call-overload]
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged

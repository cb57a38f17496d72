"""The pattern detector: which risk factors a text shows, where, and why.

Each finding carries its span, the rule that fired and a hash of the matched text, never
the text itself, so a verdict can be logged and explained without leaking the prompt.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from agentshield.engines.findings import Finding
from agentshield.engines.injection.cleaner import Match

GUARD = "injection"


@dataclass(frozen=True, slots=True)
class PatternReport:
    risk_factors: tuple[str, ...]  # distinct, in order of first appearance
    findings: tuple[Finding, ...]

    @property
    def score(self) -> float:
        """0 with no factor; each distinct factor halves what is left: 0.5, 0.75, 0.875."""
        return 1.0 - 0.5 ** len(self.risk_factors)


def report(text: str, matches: list[Match]) -> PatternReport:
    ordered = sorted(matches, key=lambda m: m.start)
    factors = tuple(dict.fromkeys(m.rule.factor for m in ordered))
    findings = tuple(
        Finding(
            guard=GUARD,
            kind=m.rule.factor,
            start=m.start,
            end=m.end,
            value_hash=hashlib.sha256(text[m.start : m.end].encode("utf-8", "replace")).hexdigest(),
            explanation=f"{m.rule.name}: {m.rule.explanation}",
        )
        for m in ordered
    )
    return PatternReport(factors, findings)

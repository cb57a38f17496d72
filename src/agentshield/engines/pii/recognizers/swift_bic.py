"""SWIFT_BIC: bank (4 letters), ISO country, location and optional branch (ISO 9362).

All-letter codes look like words (`DATABASE` is bank DATA, country BA, location SE), so a
code without a digit needs a banking word nearby to count.
"""

from __future__ import annotations

from stdnum import bic

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class SwiftBicRecognizer(Recognizer):
    entity_type = "SWIFT_BIC"
    patterns = (Pattern("code", r"\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b", 0.3),)
    context = ("swift", "bic", "bank", "iban", "wire", "transfer", "banco", "banque")
    checksum = "ISO 9362 country"
    context_boost = 0.5

    def ceiling(self, pattern: Pattern) -> float:
        return 0.6

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        if not bic.is_valid(value):
            return None
        if any(c.isdigit() for c in value[6:]):
            return 0.6, "ISO 9362 country valid; digit in location"
        return pattern.score, "ISO 9362 country valid"

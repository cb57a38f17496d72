"""SWIFT_BIC: bank (4 letters), ISO country, location and optional branch (ISO 9362).

Codes look like words (`DATABASE` is bank DATA, country BA, location SE) and like code's
constants (`VERSION1`, `ADVAPI32`, `ELFDATA2LSB`), so a code needs a banking word nearby to
count (a key names it: `"bic": "NWBKGB2L"`). A bank's code is no one's personal data either.
Near such a word, half of the English words of eight or eleven letters in capitals pass for
a code (`BANK CUSTOMER` is bank CUST, country OM, location ER): a word of the lexicon is not
one.
"""

from __future__ import annotations

from stdnum import bic

from agentshield.engines.pii.lexicon import words
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class SwiftBicRecognizer(Recognizer):
    entity_type = "SWIFT_BIC"
    patterns = (Pattern("code", r"\b[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b", 0.3),)
    context = ("swift", "bic", "bank", "iban", "wire", "transfer", "banco", "banque")
    checksum = "ISO 9362 country"
    context_boost = 0.5

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        if not bic.is_valid(value) or value.lower() in words():
            return None
        return pattern.score, "ISO 9362 country valid"

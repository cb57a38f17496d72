"""SWIFT_BIC: bank (4 letters), ISO country, location and optional branch (ISO 9362).

Codes look like words (`DATABASE` is bank DATA, country BA, location SE) and like code's
constants (`VERSION1`, `ADVAPI32`, `ELFDATA2LSB`), so a code needs a banking word nearby to
count (a key names it: `"bic": "NWBKGB2L"`). A bank's code is no one's personal data either.
Near such a word, half of the English words of eight or eleven letters in capitals pass for
a code (`BANK CUSTOMER` is bank CUST, country OM, location ER): English written out is not
one (`_written`).
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
        if not bic.is_valid(value) or _written(value.lower()):
            return None
        return pattern.score, "ISO 9362 country valid"


def _written(letters: str) -> bool:
    """Whether a code's letters are English either way round (a reversed view reads
    `VERTICAL` as LACI TR EV): a word of the lexicon, one it holds with an ending
    (`TRUNCATE`, of `truncated`), or two words (`SUPERSCRIPT`). None of python-stdnum's
    97 Belgian banks' codes is (a test), nor of 128 other banks' of 39 countries (checked
    once, in scratch)."""
    lexicon = words()
    for word in (letters, letters[::-1]):
        if word in lexicon or word + "d" in lexicon or word + "s" in lexicon:
            return True
        if any(word[:i] in lexicon and word[i:] in lexicon for i in range(3, len(word) - 2)):
            return True
    return False

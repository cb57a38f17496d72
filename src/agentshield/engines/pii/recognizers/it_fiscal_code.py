"""IT_FISCAL_CODE: Italy's codice fiscale (16 characters), check letter validated."""

from __future__ import annotations

from stdnum.it import codicefiscale

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer

# Digits may be replaced by letters (omocodia) when two people would share a code. Either
# case, written out: RE2's `(?i)` would also match the Kelvin sign and the long s (which
# normalisation turns into `K` and `s`), and a pattern of ASCII alone is searched only
# inside encoded runs, not by the Sets (prefilter.run_length; new text -0.4%).
_D = "[0-9LMNPQRSTUVlmnpqrstuv]"


class ItFiscalCodeRecognizer(Recognizer):
    entity_type = "IT_FISCAL_CODE"
    patterns = (
        Pattern(
            "code",
            rf"\b[A-Za-z]{{6}}{_D}{{2}}[ABCDEHLMPRSTabcdehlmprst]{_D}{{2}}[A-Za-z]{_D}{{3}}[A-Za-z]\b",
            0.5,
        ),
    )
    context = ("codice fiscale", "cf", "fiscal code", "tax code")
    checksum = "check letter"
    checked_score = 0.9
    layer = INTERNATIONAL_ID
    turned_by_chance = ("rot13",)

    def validate(self, value: str) -> bool | None:
        # A code holds a digit: letters in all seven places of digits take seven
        # substitutions (128 people sharing one code). Letters alone are a name, one in
        # 26 valid by its letter (`URLRequestMethod` reversed, `dohteMtseuqeRLRU`).
        if value.isalpha():
            return False
        return codicefiscale.is_valid(value)

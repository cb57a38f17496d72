"""IBAN: country code, check digits and account, valid under ISO 13616 mod-97."""

from __future__ import annotations

import string
from collections.abc import Iterator

from stdnum import iban

from agentshield.engines.pii.recognizer import Pattern, Recognizer

# Letters as numbers for mod-97 (A=10 … Z=35); digits as themselves, which str.translate
# then finds instead of raising a KeyError for each.
_AS_NUMBER = str.maketrans(
    {c: str(ord(c) - 55) for c in string.ascii_uppercase} | {d: d for d in string.digits}
)


class IbanRecognizer(Recognizer):
    entity_type = "IBAN"
    # In groups of four split by blanks or dashes, or none (stdnum reads `GB82-WEST-…` as
    # GB82WEST…). In capitals only: small letters too cost new text 24-43% more
    # instructions, anywhere or after the word `iban` (pii_instructions.py's new-text
    # pass, scratch runs).
    patterns = (Pattern("grouped", r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}\b", 0.5),)
    context = ("iban", "account", "bank", "transfer", "cuenta", "compte", "konto")
    checksum = "mod-97"
    checked_score = 0.95

    def spans(self, value: str) -> Iterator[tuple[int, int]]:
        # A grouped IBAN may run into the next capitalised word: try shorter ends too.
        yield 0, len(value)
        for i in range(len(value) - 1, 14, -1):
            if value[i] in " -":
                yield 0, i

    def validate(self, value: str) -> bool | None:
        # Most candidates (a shorter end, a ROT13 view) fail the mod-97 check that stdnum
        # runs first: run it here, cheaply (the pattern leaves A-Z, 0-9, blanks, dashes).
        number = value.replace(" ", "").replace("-", "")
        if int((number[4:] + number[:4]).translate(_AS_NUMBER)) % 97 != 1:
            return False
        return iban.is_valid(value)

"""IN_AADHAAR: twelve digits, first not 0 or 1, Verhoeff check digit."""

from __future__ import annotations

from stdnum.in_ import aadhaar

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer

_TWELVE = r"\A\d{4}[ -]\d{4}[ -]\d{4}\z"


class InAadhaarRecognizer(Recognizer):
    entity_type = "IN_AADHAAR"
    # Three groups of four run on after a blank into a fourth group are a longer number's
    # (a card's first twelve digits, an IBAN's): the pattern takes the next group too, and
    # the screen, judged natively, leaves it unchecked.
    patterns = (
        Pattern("grouped", r"\b[2-9]\d{3}[ -]\d{4}[ -]\d{4}(?: \d+)?\b", 0.5, screen=_TWELVE),
        Pattern("digits", r"\b[2-9]\d{11}\b", 0.3),
    )
    context = ("aadhaar", "aadhar", "uidai", "uid", "आधार")
    gated = False  # new text: 2.1k instructions per KB less (Recognizer.gated)
    checksum = "Verhoeff"
    layer = INTERNATIONAL_ID
    letter_sensitive = False
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        return aadhaar.is_valid(value)

"""UK_NINO: National Insurance number, QQ 12 34 56 C.

The format has no check digit; HMRC's prefix rules (no D, F, I, Q, U, V; no O second; none
of BG, GB, KN, NK, NT, TN, ZZ) are what make a number valid.
"""

from __future__ import annotations

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer

_NOT_ALLOCATED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


class UkNinoRecognizer(Recognizer):
    entity_type = "UK_NINO"
    patterns = (
        Pattern(
            "number",
            r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
            0.7,
        ),
    )
    context = ("national insurance", "nino", "ni number", "nin")
    checksum = "HMRC prefix rules"
    layer = INTERNATIONAL_ID
    turned_by_chance = ("rot13",)

    def validate(self, value: str) -> bool | None:
        return False if value[:2] in _NOT_ALLOCATED else None

"""UK_NHS: ten digits with a mod-11 check digit; shaped like a phone number, so context counts."""

from __future__ import annotations

from stdnum.gb import nhs

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class UkNhsRecognizer(Recognizer):
    entity_type = "UK_NHS"
    patterns = (
        Pattern("grouped", r"\b\d{3}[ -]\d{3}[ -]\d{4}\b", 0.4),
        Pattern("digits", r"\b\d{10}\b", 0.3),
    )
    context = ("nhs", "health service", "patient", "nhs number", "chi number")
    checksum = "mod-11"
    context_boost = 0.45
    layer = INTERNATIONAL_ID
    letter_sensitive = False
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        return nhs.is_valid(value)

"""CA_SIN: Canada's social insurance number, nine digits with a Luhn check digit."""

from __future__ import annotations

from stdnum.ca import sin

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class CaSinRecognizer(Recognizer):
    entity_type = "CA_SIN"
    patterns = (
        Pattern("grouped", r"\b\d{3}[ -]\d{3}[ -]\d{3}\b", 0.45),
        Pattern("digits", r"\b\d{9}\b", 0.2),
    )
    context = ("sin", "social insurance", "nas", "assurance sociale")
    checksum = "Luhn"
    layer = INTERNATIONAL_ID
    letter_sensitive = False
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        return sin.is_valid(value)

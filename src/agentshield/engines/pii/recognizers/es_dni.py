"""ES_DNI: eight digits and the control letter (mod 23)."""

from __future__ import annotations

from stdnum.es import dni

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class EsDniRecognizer(Recognizer):
    entity_type = "ES_DNI"
    patterns = (Pattern("number and letter", r"\b\d{8}-?[A-Za-z]\b", 0.5),)
    context = ("dni", "nif", "documento nacional", "identidad")
    checksum = "mod-23 letter"
    checked_score = 0.85
    layer = INTERNATIONAL_ID
    turned_by_chance = ("rot13", "reversed")
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        return dni.is_valid(value)

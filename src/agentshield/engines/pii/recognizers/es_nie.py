"""ES_NIE: foreigner's identity number, X/Y/Z, seven digits and the control letter."""

from __future__ import annotations

from stdnum.es import nie

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class EsNieRecognizer(Recognizer):
    entity_type = "ES_NIE"
    patterns = (Pattern("number", r"\b[XYZxyz]-?\d{7}-?[A-Za-z]\b", 0.5),)
    context = ("nie", "extranjero", "identidad", "residencia")
    checksum = "mod-23 letter"
    checked_score = 0.85
    layer = INTERNATIONAL_ID
    turned_by_chance = ("rot13",)
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        return nie.is_valid(value)

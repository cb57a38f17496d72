"""PL_PESEL: eleven digits encoding a valid birth date, with a weighted check digit."""

from __future__ import annotations

from stdnum.pl import pesel

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class PlPeselRecognizer(Recognizer):
    entity_type = "PL_PESEL"
    patterns = (Pattern("digits", r"\b\d{11}\b", 0.4),)
    context = ("pesel", "numer ewidencyjny", "identyfikacyjny")
    checksum = "check digit and birth date"
    layer = INTERNATIONAL_ID
    letter_sensitive = False
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        return pesel.is_valid(value)

"""NL_BSN: the Dutch citizen service number, nine digits passing the 11-test."""

from __future__ import annotations

from stdnum.nl import bsn

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class NlBsnRecognizer(Recognizer):
    entity_type = "NL_BSN"
    patterns = (
        Pattern("dotted", r"\b\d{4}\.\d{2}\.\d{3}\b", 0.45),
        Pattern("digits", r"\b\d{9}\b", 0.2),
    )
    context = ("bsn", "burgerservicenummer", "sofinummer", "citizen service")
    checksum = "11-test"
    layer = INTERNATIONAL_ID
    letter_sensitive = False
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        return bsn.is_valid(value)

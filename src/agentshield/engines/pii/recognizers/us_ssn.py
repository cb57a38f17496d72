"""US_SSN: 123-45-6789 (spaced, dotted, bare); stdnum's area, group and serial rules."""

from __future__ import annotations

from stdnum.us import ssn

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class UsSsnRecognizer(Recognizer):
    entity_type = "US_SSN"
    patterns = (
        Pattern("dashed", r"\b\d{3}-\d{2}-\d{4}\b", 0.75),
        Pattern("spaced", r"\b\d{3} \d{2} \d{4}\b", 0.5),
        Pattern("dotted", r"\b\d{3}\.\d{2}\.\d{4}\b", 0.4),  # also a version: needs a word
        Pattern("digits", r"\b\d{9}\b", 0.2),
    )
    context = ("ssn", "social security", "social-security", "ss#", "ss #", "taxpayer")
    checksum = "SSA number rules"
    layer = INTERNATIONAL_ID
    letter_sensitive = False
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        return ssn.is_valid(value.replace(" ", "-").replace(".", "-"))

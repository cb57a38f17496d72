"""FR_NIR: France's social security number (15 digits, Corsica 2A/2B), mod-97 key."""

from __future__ import annotations

from stdnum.fr import nir

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class FrNirRecognizer(Recognizer):
    entity_type = "FR_NIR"
    patterns = (
        Pattern(
            "number",
            r"\b[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[ABab]) ?\d{3} ?\d{3} ?\d{2}\b",
            0.5,
        ),
    )
    context = ("sécurité sociale", "securite sociale", "nir", "insee", "carte vitale")
    checksum = "mod-97 key"
    checked_score = 0.85
    layer = INTERNATIONAL_ID
    strict_edges = True

    def validate(self, value: str) -> bool | None:
        return nir.is_valid(value)

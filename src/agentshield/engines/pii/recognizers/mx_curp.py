"""MX_CURP: Mexico's 18-character population registry key; date and check digit validated."""

from __future__ import annotations

from stdnum.mx import curp

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class MxCurpRecognizer(Recognizer):
    entity_type = "MX_CURP"
    patterns = (Pattern("key", r"\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b", 0.5),)
    context = ("curp", "clave única", "registro de población")
    checksum = "CURP check digit"
    checked_score = 0.9
    layer = INTERNATIONAL_ID

    def validate(self, value: str) -> bool | None:
        return curp.is_valid(value)

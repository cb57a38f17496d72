"""BR_CPF: Brazil's taxpayer number, 123.456.789-09, two mod-11 check digits."""

from __future__ import annotations

from stdnum.br import cpf

from agentshield.engines.pii.layers import INTERNATIONAL_ID
from agentshield.engines.pii.recognizer import Pattern, Recognizer


class BrCpfRecognizer(Recognizer):
    entity_type = "BR_CPF"
    patterns = (
        Pattern("formatted", r"\b\d{3}\.\d{3}\.\d{3}-\d{2}\b", 0.5),
        # Bare, it needs a word near it: one random 11-digit id or phone number in a hundred
        # (`raise ValueError("bad id 37346189590")`) passes the check.
        Pattern("digits", r"\b\d{11}\b", 0.1),
    )
    context = ("cpf", "cadastro de pessoas", "contribuinte")
    checksum = "mod-11 check digits"
    layer = INTERNATIONAL_ID
    letter_sensitive = False
    strict_edges = True

    def ceiling(self, pattern: Pattern) -> float:
        return pattern.score + 0.35

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        if not cpf.is_valid(value):
            return None
        return pattern.score + 0.35, "mod-11 check digits valid"

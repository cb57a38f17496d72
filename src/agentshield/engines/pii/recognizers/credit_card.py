"""CREDIT_CARD: 13 to 19 digits with a card network's prefix and a valid Luhn check digit."""

from __future__ import annotations

import re

from stdnum import luhn

from agentshield.engines.pii.recognizer import Pattern, Recognizer

# Issuer prefixes (ISO/IEC 7812 IINs as published by the networks) and their lengths.
_NETWORKS = re.compile(
    r"4\d{12}(?:\d{3}){0,2}"  # Visa
    r"|(?:5[1-5]\d{2}|222[1-9]|22[3-9]\d|2[3-6]\d{2}|27[01]\d|2720)\d{12}"  # Mastercard
    r"|3[47]\d{13}"  # American Express
    r"|(?:6011|65\d{2}|64[4-9]\d)\d{12,15}"  # Discover
    r"|35(?:2[89]|[3-8]\d)\d{12,15}"  # JCB
    r"|3(?:0[0-5]|[68]\d)\d{11,16}"  # Diners Club
    r"|62\d{14,17}"  # UnionPay
)
_NON_DIGITS = re.compile(r"\D+")


class CreditCardRecognizer(Recognizer):
    entity_type = "CREDIT_CARD"
    # Grouped numbers are written as cards; a bare run of digits may be any reference
    # number (one in ten passes Luhn), so it needs a card word nearby.
    patterns = (
        Pattern(
            "digit groups",
            r"\b\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}\b|\b\d{4}[ -]\d{6}[ -]\d{4,5}\b",
            0.5,
        ),
        Pattern("digits", r"\b\d{13,19}\b", 0.3),
    )
    context = ("card", "credit", "visa", "mastercard", "amex", "cc", "tarjeta", "carte")
    # Italian, Portuguese, German and Dutch words (`carta di credito`, `cartão`, `Karte`).
    context += ("carta", "cartão", "cartao", "karte", "kreditkarte", "creditcard")
    checksum = "Luhn"
    checked_score = 0.9

    def ceiling(self, pattern: Pattern) -> float:
        return 0.9 if pattern.name == "digit groups" else 0.45

    letter_sensitive = False
    strict_edges = True

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        if len({c for c in value if not c.isdigit()}) > 1:
            return None
        digits = _NON_DIGITS.sub("", value)
        if not (_NETWORKS.fullmatch(digits) and luhn.is_valid(digits)):
            return None
        return self.ceiling(pattern), "Luhn and issuer prefix valid"

"""STRIPE_KEY: secret and restricted API keys and webhook signing secrets.

Publishable keys (`pk_…`) are meant to be public and are not reported.
"""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class StripeKeyRecognizer(Recognizer):
    entity_type = "STRIPE_KEY"
    random = True
    patterns = (
        Pattern("api key", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,247}\b", 0.95),
        Pattern("webhook secret", r"\bwhsec_[A-Za-z0-9]{24,}\b", 0.9),
    )

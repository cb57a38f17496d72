"""GOOGLE_API_KEY: `AIza` and 35 more characters."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class GoogleApiKeyRecognizer(Recognizer):
    entity_type = "GOOGLE_API_KEY"
    random = True
    patterns = (Pattern("key", r"\bAIza[0-9A-Za-z_-]{35}", 0.9),)

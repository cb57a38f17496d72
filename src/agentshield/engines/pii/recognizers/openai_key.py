"""OPENAI_KEY: `sk-…` keys, including project (`sk-proj-`), service-account and admin keys."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class OpenaiKeyRecognizer(Recognizer):
    entity_type = "OPENAI_KEY"
    patterns = (Pattern("key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", 0.85),)
    context = ("openai", "api key", "api_key", "gpt", "chatgpt")
    checksum = "T3BlbkFJ marker"
    checked_score = 0.95

    def validate(self, value: str) -> bool | None:
        # Classic and project keys carry base64("OpenAI") in the middle.
        return True if "T3BlbkFJ" in value else None

"""OPENAI_KEY: `sk-…` keys, including project (`sk-proj-`), service-account and admin keys."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class OpenaiKeyRecognizer(Recognizer):
    entity_type = "OPENAI_KEY"
    random = True
    patterns = (Pattern("key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", 0.85),)
    context = ("openai", "api key", "api_key", "gpt", "chatgpt")
    checksum = "T3BlbkFJ marker"
    checked_score = 0.95

    def validate(self, value: str) -> bool | None:
        if value.startswith(("sk-ant-", "sk-or-")):
            return False  # Anthropic's and OpenRouter's keys (AUTH_TOKEN, vendor_keys.py)
        # Classic and project keys carry base64("OpenAI") in the middle.
        if "T3BlbkFJ" in value:
            return True
        # A key is random: digits and letters of both cases. A name after `sk-` is not
        # (scikit-learn's CSS class `sk-toggleable__label-arrow`).
        body = value[3:]
        if any(c.isdigit() for c in body) and body.lower() != body and body.upper() != body:
            return None
        return False

"""GITHUB_TOKEN: personal, OAuth, user-to-server, server-to-server, refresh and fine-grained."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class GithubTokenRecognizer(Recognizer):
    entity_type = "GITHUB_TOKEN"
    random = True
    patterns = (
        Pattern(
            "prefixed token",
            r"\b(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})\b",
            0.95,
        ),
    )

"""SLACK_TOKEN: bot, user, app and refresh tokens, and incoming-webhook URLs."""

from __future__ import annotations

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class SlackTokenRecognizer(Recognizer):
    entity_type = "SLACK_TOKEN"
    random = True
    patterns = (
        Pattern("token", r"\bxox[abposre]-[A-Za-z0-9-]{10,250}", 0.95),
        Pattern("app token", r"\bxapp-\d-[A-Za-z0-9-]{20,250}", 0.95),
        Pattern(
            "webhook",
            r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}",
            0.95,
        ),
    )

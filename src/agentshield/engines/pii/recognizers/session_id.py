"""SESSION_ID: a session identifier given by name or as a well-known session cookie."""

from __future__ import annotations

from agentshield.engines.pii.leet import leet_alternation
from agentshield.engines.pii.recognizer import Pattern, Recognizer

_NAMES = leet_alternation(
    (
        "session id",
        "sessionid",
        "session token",
        "session key",
        "session",
        "sid",
        "phpsessid",
        "jsessionid",
        "asp.net_sessionid",
        "connect.sid",
        "laravel_session",
    )
)


class SessionIdRecognizer(Recognizer):
    entity_type = "SESSION_ID"
    random = True
    patterns = (
        Pattern(
            "named",
            rf"(?i)\b(?P<key>{_NAMES})[\"']?\s*[:=]\s*[\"']?"
            r"(?P<value>[A-Za-z0-9%._+/=-]{15,255}[A-Za-z0-9%_+/=-])",  # no sentence's stop
            0.8,
        ),
    )

    def validate(self, value: str) -> bool | None:
        return (
            None if any(c.isdigit() for c in value) and any(c.isalpha() for c in value) else False
        )

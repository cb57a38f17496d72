"""AUTH_TOKEN: bearer tokens and tokens or API keys given by name (`access_token=…`)."""

from __future__ import annotations

from agentshield.engines.pii.leet import leet_alternation
from agentshield.engines.pii.recognizer import Pattern, Recognizer

_NAMES = leet_alternation(
    (
        "auth token",
        "access token",
        "api token",
        "refresh token",
        "id token",
        "x-api-key",
        "x-auth-token",
        "api key",
        "apikey",
        "authorization",
        "token",
    )
)
_TOKEN = r"(?P<value>[A-Za-z0-9._~+/-]{16,}=*)"


class AuthTokenRecognizer(Recognizer):
    entity_type = "AUTH_TOKEN"
    patterns = (
        Pattern("bearer", rf"(?i)\b(?P<key>bearer)\s+{_TOKEN}", 0.9),
        Pattern(
            "named",
            rf"(?i)\b(?P<key>{_NAMES})[\"']?\s*[:=]\s*[\"']?(?:bearer\s+|token\s+|basic\s+)?{_TOKEN}",
            0.85,
        ),
    )

    def validate(self, value: str) -> bool | None:
        # A token mixes letters and digits; `authorization: required_for_all_users` does not.
        return (
            None if any(c.isdigit() for c in value) and any(c.isalpha() for c in value) else False
        )

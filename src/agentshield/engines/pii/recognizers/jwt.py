"""JWT: three base64url parts whose first decodes to a JSON header naming an algorithm."""

from __future__ import annotations

import base64
import binascii
import json

from agentshield.engines.pii.recognizer import Pattern, Recognizer


class JwtRecognizer(Recognizer):
    entity_type = "JWT"
    patterns = (
        Pattern(
            "three parts",
            r"\bey[A-Za-z0-9_-]{10,}\.ey[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*",
            0.95,
        ),
    )
    checksum = "JOSE header"

    def validate(self, value: str) -> bool | None:
        head = value.split(".", 1)[0]
        try:
            header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        except (binascii.Error, ValueError):
            return False
        return isinstance(header, dict) and "alg" in header

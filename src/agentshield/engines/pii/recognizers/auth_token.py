"""AUTH_TOKEN: bearer tokens, tokens or API keys given by name (`access_token=…`), and
vendors' keys known by their prefix (vendor_keys.py)."""

from __future__ import annotations

import re

from agentshield.engines.pii.leet import leet_alternation
from agentshield.engines.pii.recognizer import Pattern, Recognizer, constant_name, placeholder
from agentshield.engines.pii.recognizers.vendor_keys import FORMATS

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
# Not ending in a sentence's stop (`token: abc…789.`).
_TOKEN = r"(?P<value>[A-Za-z0-9._~+/-]{15,}[A-Za-z0-9_~+/-]=*)"
# No view of its own: its ROT13 and reversed triggers cost new text 3% (pii_instructions.py),
# and a key's random part keeps its entropy turned (HIGH_ENTROPY_SECRET).
_VENDOR = Pattern(
    "vendor key", r"\b(?:" + "|".join(r for _, r in FORMATS) + r")\b", 0.9, turned=False
)
_VENDORS = tuple((vendor, re.compile(regex)) for vendor, regex in FORMATS)
# An attribute or a function in code (`token = base64.b64encode(…)`,
# `context.perl6_token_nesting_level`): names in small letters, one holding a word, four
# letters or more and one past hex's (a token's random groups hold none).
_DOTTED = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+")
_WORD = re.compile(r"(?=[a-z]{4})[a-z]*[g-z]")


class AuthTokenRecognizer(Recognizer):
    entity_type = "AUTH_TOKEN"
    random = True
    # A key's name may end in a token word (`PAYMENTS_TOKEN=`, `MY_SERVICE_API_KEY=`), but a
    # list's page token is no credential (`"next_page_token": "…"`).
    not_after = ("page_token", "next_token", "prev_token", "previous_token")
    not_after += ("continuation_token", "cursor_token", "sync_token", "resume_token")
    patterns = (
        Pattern("bearer", rf"(?i)\b(?P<key>bearer)\s+{_TOKEN}", 0.9),
        Pattern(
            "named",
            rf"(?i)(?:\b|_)(?P<key>{_NAMES})[\"']?\s*[:=]\s*[\"']?(?:bearer\s+|token\s+|basic\s+)?{_TOKEN}",
            0.85,
        ),
        _VENDOR,
    )

    def assess(self, value: str, pattern: Pattern) -> tuple[float, str] | None:
        if pattern is not _VENDOR:
            return super().assess(value, pattern)
        # A key is random: a name in a key's shape is not (`hf_tokenizerconfig…`).
        mixed = any(c.isdigit() for c in value) or value.lower() != value != value.upper()
        if not mixed or placeholder(value):
            return None
        vendor = next((name for name, regex in _VENDORS if regex.fullmatch(value)), "a vendor")
        return pattern.score, f"{vendor}'s format"

    def validate(self, value: str) -> bool | None:
        # A token mixes letters and digits (`authorization: required_for_all_users` does not)
        # and is no constant's name (`P11_KIT_URI_FOR_OBJECT_ON_TOKEN =\n P11_KIT_URI_FOR_OBJECT`)
        # nor a name in code.
        mixed = any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
        if not mixed or constant_name(value):
            return False
        return False if _DOTTED.fullmatch(value) and _WORD.search(value) else None

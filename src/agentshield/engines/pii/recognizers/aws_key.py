"""AWS_KEY: access key ids (AKIA…, ASIA…) and secret access keys given by name."""

from __future__ import annotations

from agentshield.engines.pii.leet import leet_alternation
from agentshield.engines.pii.recognizer import Pattern, Recognizer

_SECRET_KEYS = leet_alternation(("aws secret access key", "aws secret key", "secret access key"))


class AwsKeyRecognizer(Recognizer):
    entity_type = "AWS_KEY"
    random = True
    patterns = (
        # Credentials' prefixes only: an access key's, a temporary one's, a bearer
        # token's, a context-specific credential's. IAM's other unique ids name a user
        # (`AIDA…`), a role (`AROA…`), a group or a policy, in every CloudTrail record:
        # no secret (AWS IAM User Guide, "Unique identifiers").
        Pattern("access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b", 0.9),
        Pattern(
            "secret access key",
            rf"(?i)(?P<key>{_SECRET_KEYS})[\"']?\s*[:=]\s*[\"']?(?P<value>[A-Za-z0-9/+]{{40}})",
            0.95,
        ),
    )
    context = ("aws", "amazon", "iam", "access key")

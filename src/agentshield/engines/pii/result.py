"""What a scan returns. Findings carry spans into the original text and a hash, never a value.

Named tuples, immutable as frozen dataclasses are, and built in a third of the time (a
frozen dataclass sets each field through `object.__setattr__`): a result is built for every
text scanned, a finding for every value.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from typing import Any, NamedTuple

from agentshield.engines.findings import Finding
from agentshield.engines.pii.policy import Mode
from agentshield.engines.pii.restore import RestoreMap
from agentshield.engines.pii.risk import RiskAssessment

# A named tuple built directly, `made(PiiFinding, (…))`: calling the class goes through the
# `__new__` namedtuple writes in Python, a frame for every finding and every result.
made = tuple.__new__


def hash_value(value: str, key: bytes | None = None) -> str:
    data = value.encode("utf-8", "surrogatepass")
    if key:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


class PiiFinding(NamedTuple):
    entity_type: str
    start: int  # offsets into the original text, end exclusive
    end: int
    score: float
    layer: str
    evasion: str | None  # e.g. "base64", "hex+base64", "confusable", "split_letters"
    explanation: str
    value_hash: str
    action: Mode

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 3),
            "layer": self.layer,
            "evasion": self.evasion,
            "action": self.action,
            "explanation": self.explanation,
            "value_hash": self.value_hash,
        }

    def as_finding(self) -> Finding:
        """The gateway-wide finding for the request context, audit and telemetry."""
        return Finding(
            guard="pii",
            kind=self.entity_type,
            score=self.score,
            start=self.start,
            end=self.end,
            value_hash=self.value_hash,
            explanation=self.explanation,
            data={"layer": self.layer, "evasion": self.evasion, "action": self.action},
        )


class PiiResult(NamedTuple):
    findings: tuple[PiiFinding, ...]
    redacted_text: str
    risk: RiskAssessment
    # Placeholder -> original for `restore` mode; lives as long as the request, never stored.
    restore_map: RestoreMap | None = None

    @property
    def blocked(self) -> bool:
        return any(f.action == "block" for f in self.findings)

    def counts(self) -> dict[str, int]:
        """Findings per entity type, for `X-AgentShield-PII-Findings`."""
        return dict(sorted(Counter(f.entity_type for f in self.findings).items()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.as_dict() for f in self.findings],
            "redacted_text": self.redacted_text,
            "risk": self.risk.as_dict(),
        }

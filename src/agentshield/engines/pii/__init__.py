"""The PII engine: detection, redaction, restore, streaming and risk, all pure.

The gateway's PII guard and the `/v1/pii/*` routes call this module only:

    scanner = PiiScanner(enabled_names, limits=ScanLimits(...))   # once, at start-up
    result = scanner.scan(text, policy=policy, rules=rule_set, restore_map=request_map)
    result.findings, result.redacted_text, result.risk, result.blocked, result.counts()

`scan()` and `scan_batch()` below use a scanner with every recognizer enabled.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from agentshield.engines.pii.errors import (
    BatchTooLarge,
    InputRejected,
    InvalidRule,
    InvalidText,
    PiiError,
    TextTooLarge,
    TooManyCandidates,
    UnknownRecognizer,
)
from agentshield.engines.pii.generator import GeneratedPattern, generate_pattern
from agentshield.engines.pii.policy import MODES, Mode, Policy, ScanLimits
from agentshield.engines.pii.registry import available
from agentshield.engines.pii.repeats import KnownSecrets
from agentshield.engines.pii.restore import RestoreMap, StreamingRestorer
from agentshield.engines.pii.result import PiiFinding, PiiResult
from agentshield.engines.pii.risk import RiskAssessment, assess_risk
from agentshield.engines.pii.rules import (
    CustomRule,
    PatternTest,
    RuleSet,
    check_rule,
    merge_rules,
    try_pattern,
)
from agentshield.engines.pii.scanner import PiiScanner
from agentshield.engines.pii.streaming import StreamingRedactor

__all__ = [
    "MODES",
    "BatchTooLarge",
    "CustomRule",
    "GeneratedPattern",
    "InputRejected",
    "InvalidRule",
    "InvalidText",
    "KnownSecrets",
    "Mode",
    "PatternTest",
    "PiiError",
    "PiiFinding",
    "PiiResult",
    "PiiScanner",
    "Policy",
    "RestoreMap",
    "RiskAssessment",
    "RuleSet",
    "ScanLimits",
    "StreamingRedactor",
    "StreamingRestorer",
    "TextTooLarge",
    "TooManyCandidates",
    "UnknownRecognizer",
    "assess_risk",
    "available",
    "check_rule",
    "default_scanner",
    "generate_pattern",
    "merge_rules",
    "scan",
    "scan_batch",
    "try_pattern",
]


@cache
def default_scanner() -> PiiScanner:
    """Every recognizer, default limits; built on first use."""
    return PiiScanner()


def scan(
    text: str | bytes,
    *,
    policy: Policy | None = None,
    rules: RuleSet | None = None,
    restore_map: RestoreMap | None = None,
) -> PiiResult:
    return default_scanner().scan(text, policy=policy, rules=rules, restore_map=restore_map)


def scan_batch(
    texts: Sequence[str | bytes],
    *,
    policy: Policy | None = None,
    rules: RuleSet | None = None,
    restore_map: RestoreMap | None = None,
) -> list[PiiResult]:
    return default_scanner().scan_batch(texts, policy=policy, rules=rules, restore_map=restore_map)

"""One text's verdict: the decision, the calibrated confidence and each component's score."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentshield.engines.findings import Finding


@dataclass(frozen=True)
class Verdict:
    is_suspicious: bool
    # Estimated probability that the text is an injection (see docs/injection.md); the text
    # is flagged when it is >= `threshold`.
    confidence: float
    threshold: float
    drift_score: float  # ZEDD: cosine distance between the text and its cleaned version
    drift_threshold: float
    risk_factors: tuple[str, ...]
    # classifier: the MLP's own probability; zedd: the drift; patterns: 1 - 0.5**factors
    scores: dict[str, float]
    findings: tuple[Finding, ...]
    cleaned_text: str = field(repr=False)
    text_length: int
    pipeline_fingerprint: str
    latency_ms: float  # for a batch, the batch's time divided by its size

    @property
    def drift_exceeded(self) -> bool:
        return self.drift_score >= self.drift_threshold

    @property
    def summary(self) -> str:
        if not self.is_suspicious:
            return "No injection detected"
        named = ", ".join(self.risk_factors) or "learned classifier"
        return f"Potential injection detected (confidence={self.confidence:.2f}; {named})"

    def as_metadata(self) -> dict[str, Any]:
        """Everything but text: safe for logs, audit entries and telemetry."""
        return {
            "is_suspicious": self.is_suspicious,
            "summary": self.summary,
            "confidence": round(self.confidence, 4),
            "threshold": round(self.threshold, 4),
            "drift_score": round(self.drift_score, 6),
            "drift_threshold": round(self.drift_threshold, 6),
            "risk_factors": list(self.risk_factors),
            "scores": {name: round(value, 6) for name, value in self.scores.items()},
            "findings": [f.as_metadata() for f in self.findings],
            "text_length": self.text_length,
            "pipeline_fingerprint": self.pipeline_fingerprint,
            "latency_ms": round(self.latency_ms, 3),
        }

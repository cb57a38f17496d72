"""Scan results under pyagentshield 0.1.3's names (`ScanResult`, `ScanDetails`,
`DetectionSignal`), so code written for it runs after changing only the import.

Differences a reader may notice: `details.risk_factors` names factors
(`instruction_override`, ...) instead of sentences; `signals` has one entry per component
(`classifier`, `zedd`, `patterns`); `details.threshold` is ZEDD's drift threshold, as there,
and `details.decision_threshold` is the threshold `confidence` is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentshield.engines.injection.cleaner import METHOD
from agentshield.engines.injection.verdict import Verdict


@dataclass
class DetectionSignal:
    score: float  # 0 (safe) to 1 (malicious)
    confidence: float  # how far the score is from undecided (0.5)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "confidence": round(self.confidence, 4),
            "metadata": self.metadata,
        }


@dataclass
class ScanDetails:
    summary: str
    risk_factors: list[str] = field(default_factory=list)
    drift_score: float | None = None
    threshold: float | None = None
    cleaning_method: str | None = None
    decision_threshold: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "risk_factors": list(self.risk_factors),
            "drift_score": _round(self.drift_score, 6),
            "threshold": _round(self.threshold, 6),
            "cleaning_method": self.cleaning_method,
            "decision_threshold": _round(self.decision_threshold, 6),
        }


@dataclass
class ScanResult:
    is_suspicious: bool
    confidence: float
    signals: dict[str, DetectionSignal] = field(default_factory=dict)
    details: ScanDetails = field(default_factory=lambda: ScanDetails("No analysis performed"))
    original_text: str | None = None
    cleaned_text: str | None = None
    pipeline_fingerprint: str | None = None
    latency_ms: float | None = None

    def __bool__(self) -> bool:
        return self.is_suspicious

    @property
    def risk_factors(self) -> list[str]:
        return self.details.risk_factors

    @property
    def drift_score(self) -> float | None:
        return self.details.drift_score

    def to_dict(self) -> dict[str, Any]:
        return {
            "is_suspicious": self.is_suspicious,
            "confidence": round(self.confidence, 4),
            "signals": {name: signal.to_dict() for name, signal in self.signals.items()},
            "details": self.details.to_dict(),
        }

    @classmethod
    def from_verdict(cls, verdict: Verdict, text: str | None = None) -> ScanResult:
        """`text` is kept (with the cleaned text) only when the caller asks for it."""
        scores = verdict.scores
        return cls(
            is_suspicious=verdict.is_suspicious,
            confidence=verdict.confidence,
            signals={
                "classifier": _signal(scores["classifier"]),
                "zedd": _signal(
                    min(1.0, scores["zedd"]),
                    drift=round(verdict.drift_score, 6),
                    threshold=round(verdict.drift_threshold, 6),
                    exceeded=verdict.drift_exceeded,
                    cleaning_method=METHOD,
                ),
                "patterns": _signal(scores["patterns"], risk_factors=list(verdict.risk_factors)),
            },
            details=ScanDetails(
                summary=verdict.summary,
                risk_factors=list(verdict.risk_factors),
                drift_score=verdict.drift_score,
                threshold=verdict.drift_threshold,
                cleaning_method=METHOD,
                decision_threshold=verdict.threshold,
            ),
            original_text=text,
            cleaned_text=verdict.cleaned_text if text is not None else None,
            pipeline_fingerprint=verdict.pipeline_fingerprint,
            latency_ms=verdict.latency_ms,
        )


def _signal(score: float, **metadata: Any) -> DetectionSignal:
    score = max(0.0, min(1.0, score))
    return DetectionSignal(score=score, confidence=abs(2.0 * score - 1.0), metadata=metadata)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)

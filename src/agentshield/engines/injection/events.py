"""The `ScanEvent`: what one scan reports to the platform, the same for the SDK's telemetry,
the gateway and `POST /v1/scan`. Metadata only: it has no field that could hold the
scanned text, its cleaned version or a finding's value."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from agentshield.engines.injection.cleaner import METHOD
from agentshield.engines.injection.verdict import Verdict

SCHEMA_VERSION = 1


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class ScanEvent:
    sdk_version: str
    session_id: str
    is_suspicious: bool
    confidence: float
    drift_score: float | None
    threshold: float | None  # the decision threshold `confidence` was compared with
    embedding_model: str  # the model actually used, with its file digest
    cleaning_method: str
    on_detect: str  # block | warn | flag | filter | none (a plain scan())
    project: str | None
    environment: str | None
    pipeline_fingerprint: str
    source: str  # sdk | api | playground | gateway | cli
    latency_ms: float
    text_length: int
    detector_type: str
    risk_factors: tuple[str, ...]
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timestamp: str = field(default_factory=_now)
    event_type: str = "scan"
    schema_version: int = SCHEMA_VERSION

    @classmethod
    def from_verdict(
        cls,
        verdict: Verdict,
        *,
        sdk_version: str,
        session_id: str,
        embedding_model: str,
        source: str,
        on_detect: str = "none",
        project: str | None = None,
        environment: str | None = None,
        detector_type: str = "zedd+classifier+patterns",
    ) -> ScanEvent:
        return cls(
            sdk_version=sdk_version,
            session_id=session_id,
            is_suspicious=verdict.is_suspicious,
            confidence=verdict.confidence,
            drift_score=verdict.drift_score,
            threshold=verdict.threshold,
            embedding_model=embedding_model,
            cleaning_method=METHOD,
            on_detect=on_detect,
            project=project,
            environment=environment,
            pipeline_fingerprint=verdict.pipeline_fingerprint,
            source=source,
            latency_ms=verdict.latency_ms,
            text_length=verdict.text_length,
            detector_type=detector_type,
            risk_factors=verdict.risk_factors,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["risk_factors"] = list(self.risk_factors)
        data["confidence"] = round(self.confidence, 4)
        data["latency_ms"] = round(self.latency_ms, 3)
        for name in ("drift_score", "threshold"):
            if data[name] is not None:
                data[name] = round(data[name], 6)
        return data

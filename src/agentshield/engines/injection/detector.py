"""The combined detector: ZEDD drift, the learned classifier and the named patterns, fused
into one calibrated verdict per text.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from agentshield.engines.injection import patterns
from agentshield.engines.injection.calibration import Calibration
from agentshield.engines.injection.cleaner import HeuristicCleaner
from agentshield.engines.injection.embedder import Embedder
from agentshield.engines.injection.errors import StaleWeights
from agentshield.engines.injection.features import Features, extract
from agentshield.engines.injection.head import Head
from agentshield.engines.injection.verdict import Verdict

ENGINE_VERSION = "1"


def pipeline_fingerprint(embedder: Embedder, cleaner: HeuristicCleaner) -> str:
    """Names everything a threshold depends on: model, tokenizer, cleaner rules, engine."""
    return f"{embedder.identity}|{cleaner.identity}|engine:{ENGINE_VERSION}"


class InjectionDetector:
    """Thread-safe. Building one loads the model (~0.3 s); share it."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        cleaner: HeuristicCleaner | None = None,
        head: Head | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.embedder = embedder or Embedder()
        self.cleaner = cleaner or HeuristicCleaner()
        self.fingerprint = pipeline_fingerprint(self.embedder, self.cleaner)
        self.head = head or Head.load()
        if self.head.pipeline != self.fingerprint:
            raise StaleWeights(
                f"the classifier was trained for pipeline {self.head.pipeline!r}, this one is "
                f"{self.fingerprint!r}: run scripts/train_injection.py"
            )
        if calibration is not None and calibration.fingerprint != self.fingerprint:
            raise ValueError("the calibration belongs to another pipeline")
        self.calibration = calibration

    @property
    def drift_threshold(self) -> float:
        c = self.calibration
        return c.drift_threshold if c else self.head.drift_threshold

    @property
    def decision_threshold(self) -> float:
        c = self.calibration
        return c.decision_threshold if c else self.head.decision_threshold

    def with_calibration(self, calibration: Calibration | None) -> InjectionDetector:
        """The same detector (sharing its model and cache) with other thresholds."""
        return InjectionDetector(
            self.embedder, cleaner=self.cleaner, head=self.head, calibration=calibration
        )

    def scan(self, text: str) -> Verdict:
        return self.scan_batch([text])[0]

    def scan_batch(self, texts: Sequence[str]) -> list[Verdict]:
        if not texts:
            return []
        started = time.perf_counter()
        features = extract(self.embedder, self.cleaner, texts)
        logits, confidence = self.score(features)
        latency = (time.perf_counter() - started) * 1000.0 / len(texts)
        results = []
        for i, text in enumerate(texts):
            found = patterns.report(text, features.matches[i])
            results.append(
                Verdict(
                    is_suspicious=bool(confidence[i] >= self.decision_threshold),
                    confidence=float(confidence[i]),
                    threshold=self.decision_threshold,
                    drift_score=float(features.drift[i]),
                    drift_threshold=self.drift_threshold,
                    risk_factors=found.risk_factors,
                    scores={
                        "classifier": float(1.0 / (1.0 + np.exp(-logits[i]))),
                        "zedd": float(features.drift[i]),
                        "patterns": found.score,
                    },
                    findings=found.findings,
                    cleaned_text=features.cleaned[i],
                    text_length=len(text),
                    pipeline_fingerprint=self.fingerprint,
                    latency_ms=latency,
                )
            )
        return results

    def score(self, features: Features) -> tuple[np.ndarray, np.ndarray]:
        """Per text: the classifier's logit (its most suspicious window) and the fused
        probability."""
        logits = np.array([self.head.classifier.logits(w).max() for w in features.windows])
        confidence = self.head.fusion.probability(logits, features.drift, features.factor_counts)
        return logits, confidence

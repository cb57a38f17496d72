"""Fitting a detector's thresholds on a user's corpus under a false-positive cap."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from agentshield.engines.injection import thresholds
from agentshield.engines.injection.calibration import Calibration
from agentshield.engines.injection.detector import InjectionDetector
from agentshield.engines.injection.errors import CalibrationError
from agentshield.engines.injection.features import extract

MIN_CLEAN = 20  # below this a false-positive rate cannot be estimated
DEFAULT_FP_CAP = 0.02


def calibrate(
    detector: InjectionDetector,
    clean: Sequence[str],
    injected: Sequence[str] = (),
    *,
    fp_cap: float = DEFAULT_FP_CAP,
    source: str = "corpus",
) -> Calibration:
    """Both thresholds: ZEDD's drift and the combined confidence, each flagging at most
    `fp_cap` of `clean`; `injected` (optional) moves each up as far as it can go without
    missing any injected text that the lowest one catches."""
    if len(clean) < MIN_CLEAN:
        raise CalibrationError(f"need at least {MIN_CLEAN} clean texts, got {len(clean)}")
    clean_features = extract(detector.embedder, detector.cleaner, clean)
    _, clean_conf = detector.score(clean_features)
    injected_drift = injected_conf = None
    if injected:
        injected_features = extract(detector.embedder, detector.cleaner, injected)
        _, injected_conf = detector.score(injected_features)
        injected_drift = injected_features.drift
    drift = thresholds.fit(clean_features.drift, injected_drift, fp_cap=fp_cap)
    decision = thresholds.fit(clean_conf, injected_conf, fp_cap=fp_cap)
    return Calibration(
        fingerprint=detector.fingerprint,
        # A drift of exactly 0 means the cleaner changed nothing: never flag that.
        drift_threshold=max(drift.threshold, 1e-6),
        decision_threshold=decision.threshold,
        fp_cap=fp_cap,
        clean_count=len(clean),
        injected_count=len(injected),
        false_positive_rate=decision.false_positive_rate,
        true_positive_rate=decision.true_positive_rate,
        source=source,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )

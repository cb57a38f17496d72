"""Prompt-injection detection: embeddings, ZEDD drift, a learned head, named patterns.

detector = InjectionDetector()              # loads the model once; share it
verdict = detector.scan("some text")        # -> Verdict
verdicts = detector.scan_batch(texts)       # batched, in order
fitted = calibrate(detector, clean_texts, injected_texts, fp_cap=0.02)
detector = detector.with_calibration(fitted)
"""

from agentshield.engines.injection.calibrate import calibrate
from agentshield.engines.injection.calibration import Calibration, CalibrationStore
from agentshield.engines.injection.detector import InjectionDetector, pipeline_fingerprint
from agentshield.engines.injection.errors import (
    CalibrationError,
    InjectionEngineError,
    ModelUnavailable,
    StaleWeights,
)
from agentshield.engines.injection.events import ScanEvent
from agentshield.engines.injection.rules import RISK_FACTORS
from agentshield.engines.injection.shared import SharedDetector
from agentshield.engines.injection.verdict import Verdict

__all__ = [
    "RISK_FACTORS",
    "Calibration",
    "CalibrationError",
    "CalibrationStore",
    "InjectionDetector",
    "InjectionEngineError",
    "ModelUnavailable",
    "ScanEvent",
    "SharedDetector",
    "StaleWeights",
    "Verdict",
    "calibrate",
    "pipeline_fingerprint",
]

"""One detector per process, loaded on first use and shared by every caller.

Loading takes ~0.3 s and a few hundred MB, so a server builds the detector once (at start
when a guard needs it, else on the first scan) and hands the same one to every request.
`get()` blocks while it loads: call it from a worker thread, not an event loop.
"""

from __future__ import annotations

import threading
from pathlib import Path

from agentshield.engines.injection.calibration import CalibrationStore
from agentshield.engines.injection.detector import InjectionDetector


class SharedDetector:
    def __init__(self, calibration_file: Path | None = None) -> None:
        self._calibration_file = calibration_file
        self._lock = threading.Lock()
        self._detector: InjectionDetector | None = None

    @property
    def loaded(self) -> bool:
        return self._detector is not None

    def get(self) -> InjectionDetector:
        """The detector, with the calibration stored for its pipeline when there is one.
        Raises ModelUnavailable, StaleWeights or CalibrationError."""
        with self._lock:
            if self._detector is None:
                detector = InjectionDetector()
                if self._calibration_file is not None:
                    store = CalibrationStore(self._calibration_file)
                    detector = detector.with_calibration(store.get(detector.fingerprint))
                self._detector = detector
            return self._detector

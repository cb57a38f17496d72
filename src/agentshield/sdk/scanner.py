"""The SDK's scanner: the engine's detector, the user's calibration and telemetry."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import overload

import agentshield
from agentshield.engines.injection.calibration import CalibrationStore
from agentshield.engines.injection.detector import InjectionDetector
from agentshield.engines.injection.events import ScanEvent
from agentshield.sdk.paths import calibration_path
from agentshield.sdk.results import ScanResult
from agentshield.sdk.telemetry.client import TelemetryClient
from agentshield.sdk.telemetry.config import TelemetryConfig


class Scanner:
    """Builds its detector on first use (loading the model takes ~0.3 s)."""

    def __init__(
        self,
        *,
        detector: InjectionDetector | None = None,
        calibration_file: Path | None = None,
        telemetry: TelemetryClient | None = None,
        keep_text: bool = False,
        source: str = "sdk",
    ) -> None:
        self._detector = detector
        self._calibration_file = calibration_file
        self._lock = threading.Lock()
        self.telemetry = telemetry or TelemetryClient(
            TelemetryConfig.from_env(), user_agent=f"agentshield-sdk/{agentshield.__version__}"
        )
        self.keep_text = keep_text
        self.source = source
        self.session_id = uuid.uuid4().hex

    @property
    def detector(self) -> InjectionDetector:
        with self._lock:
            if self._detector is None:
                detector = InjectionDetector()
                store = CalibrationStore(self._calibration_file or calibration_path())
                self._detector = detector.with_calibration(store.get(detector.fingerprint))
            return self._detector

    @overload
    def scan(self, text: str, *, on_detect: str = "none") -> ScanResult: ...
    @overload
    def scan(self, text: Sequence[str], *, on_detect: str = "none") -> list[ScanResult]: ...

    def scan(self, text: str | Sequence[str], *, on_detect: str = "none") -> object:
        if isinstance(text, str):
            return self.scan_many([text], on_detect=on_detect)[0]
        return self.scan_many(list(text), on_detect=on_detect)

    def scan_many(self, texts: Sequence[str], *, on_detect: str = "none") -> list[ScanResult]:
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"scan() takes str or a list of str, got {type(text).__name__}")
        verdicts = self.detector.scan_batch(texts)
        config = self.telemetry.config
        for verdict in verdicts:
            self.telemetry.record(
                ScanEvent.from_verdict(
                    verdict,
                    sdk_version=agentshield.__version__,
                    session_id=self.session_id,
                    embedding_model=self.detector.embedder.model_id,
                    source=self.source,
                    on_detect=on_detect,
                    project=config.project,
                    environment=config.environment,
                )
            )
        return [
            ScanResult.from_verdict(v, t if self.keep_text else None)
            for v, t in zip(verdicts, texts, strict=True)
        ]


_default: Scanner | None = None
_default_lock = threading.Lock()


def default_scanner() -> Scanner:
    """The process-wide scanner behind `agentshield.scan`, created on first call."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Scanner()
        return _default


@overload
def scan(text: str) -> ScanResult: ...
@overload
def scan(text: Sequence[str]) -> list[ScanResult]: ...


def scan(text: str | Sequence[str]) -> object:
    """Scan one text (-> ScanResult) or a list of texts (-> list[ScanResult], in order)."""
    return default_scanner().scan(text)

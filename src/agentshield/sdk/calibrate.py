"""Calibration from a corpus file: what `agentshield calibrate --corpus FILE` runs.

The corpus is JSON Lines with `text` and an optional `label` (0 clean, 1 injected; a row
without a label is clean), or plain text with one clean text per line. The record is stored
under the pipeline's fingerprint in the user's calibration file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from agentshield.engines.injection.calibrate import DEFAULT_FP_CAP, calibrate
from agentshield.engines.injection.calibration import Calibration, CalibrationStore
from agentshield.engines.injection.detector import InjectionDetector
from agentshield.engines.injection.errors import CalibrationError
from agentshield.sdk.paths import calibration_path


@dataclass(frozen=True, slots=True)
class Corpus:
    clean: list[str]
    injected: list[str]
    sha256: str


def read_corpus(path: Path) -> Corpus:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CalibrationError(f"{path}: cannot read the corpus ({exc.strerror})") from exc
    clean: list[str] = []
    injected: list[str] = []
    lines = raw.decode("utf-8").splitlines()
    as_json = path.suffix in {".jsonl", ".ndjson"}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if not as_json:
            clean.append(line)
            continue
        try:
            row = json.loads(line)
            text, label = row["text"], int(row.get("label", 0))
        except (ValueError, KeyError, TypeError) as exc:
            raise CalibrationError(f"{path}:{number}: expected {{'text', 'label'?}}") from exc
        (injected if label == 1 else clean).append(text)
    return Corpus(clean, injected, hashlib.sha256(raw).hexdigest())


def calibrate_corpus(
    corpus: Path,
    *,
    fp_cap: float = DEFAULT_FP_CAP,
    store_path: Path | None = None,
    detector: InjectionDetector | None = None,
    save: bool = True,
) -> Calibration:
    """Fit both thresholds on `corpus` and (unless `save` is false) store them."""
    texts = read_corpus(corpus)
    fitted = calibrate(
        detector or InjectionDetector(),
        texts.clean,
        texts.injected,
        fp_cap=fp_cap,
        source=f"{Path(corpus).name} sha256:{texts.sha256[:16]}",
    )
    if save:
        CalibrationStore(store_path or calibration_path()).put(fitted)
    return fitted

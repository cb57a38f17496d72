"""Calibration records, stored per pipeline fingerprint.

A record holds the ZEDD drift threshold and the combined decision threshold fitted on a
user's corpus. It is looked up by the fingerprint of the pipeline that produced the scores
(embedding model, tokenizer, cleaner rules, engine version), so when any of those changes
the old record is simply not found and the shipped defaults apply until the user
calibrates again.

The store is a JSON file at a path the caller gives (the SDK uses a user cache directory,
never the installed package).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agentshield.engines.injection.errors import CalibrationError

STORE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Calibration:
    fingerprint: str
    drift_threshold: float
    decision_threshold: float
    fp_cap: float
    clean_count: int
    injected_count: int
    false_positive_rate: float  # of the decision threshold on the clean corpus
    true_positive_rate: float | None  # on the injected texts, when any were given
    source: str  # "shipped" or a description of the corpus (its SHA-256)
    created_at: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


class CalibrationStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def get(self, fingerprint: str) -> Calibration | None:
        record = self._read().get(fingerprint)
        return None if record is None else Calibration.from_dict(record)

    def put(self, calibration: Calibration) -> None:
        records = self._read()
        records[calibration.fingerprint] = asdict(calibration)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"format": STORE_FORMAT, "calibrations": records}, indent=2)
        # Written aside then renamed, so a reader never sees half a file.
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".calibration-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CalibrationError(f"{self.path}: unreadable calibration store ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != STORE_FORMAT:
            raise CalibrationError(f"{self.path}: not a calibration store of format {STORE_FORMAT}")
        records = data.get("calibrations", {})
        return dict(records) if isinstance(records, dict) else {}

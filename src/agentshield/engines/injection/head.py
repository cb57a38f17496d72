"""The learned part: an MLP over the embedding, and the fusion that turns scores into one
calibrated probability. Both load with numpy alone from `data/head.json`, which
`scripts/train_injection.py` writes.

Arrays are stored as base64 of little-endian float32 so the file stays small (~400 KB)
and loads exactly.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

HEAD_FILE = "head.json"
FORMAT = 1
# Inputs of the fusion, in order: the MLP's logit, ZEDD's drift, the number of distinct
# risk factors (capped at 3).
FUSION_FEATURES = ("classifier_logit", "drift", "risk_factor_count")
MAX_FACTOR_COUNT = 3


def encode_array(array: np.ndarray) -> dict[str, Any]:
    data = np.ascontiguousarray(array, dtype="<f4")
    return {"shape": list(data.shape), "f32": base64.b64encode(data.tobytes()).decode("ascii")}


def decode_array(value: dict[str, Any]) -> np.ndarray:
    raw = base64.b64decode(value["f32"])
    return np.frombuffer(raw, dtype="<f4").reshape(value["shape"]).astype(np.float32)


@dataclass(frozen=True)
class Classifier:
    """One ReLU layer: logit = relu(x·W1 + b1)·w2 + b2, x a unit embedding."""

    w1: np.ndarray  # (384, hidden)
    b1: np.ndarray  # (hidden,)
    w2: np.ndarray  # (hidden,)
    b2: float

    def logits(self, embeddings: np.ndarray) -> np.ndarray:
        hidden = np.maximum(embeddings @ self.w1 + self.b1, 0.0)
        return hidden @ self.w2 + self.b2


@dataclass(frozen=True)
class Fusion:
    """Logistic regression over FUSION_FEATURES, fitted on out-of-fold training scores."""

    coef: np.ndarray  # (3,)
    intercept: float

    def probability(self, logit: np.ndarray, drift: np.ndarray, factors: np.ndarray) -> np.ndarray:
        features = np.stack([logit, drift, np.minimum(factors, MAX_FACTOR_COUNT)], axis=-1).astype(
            np.float64
        )
        z = features @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


@dataclass(frozen=True)
class Head:
    classifier: Classifier
    fusion: Fusion
    pipeline: str  # the fingerprint of the pipeline the head was trained on
    drift_threshold: float  # shipped defaults, fitted on the training data
    decision_threshold: float
    fp_cap: float
    training: dict[str, Any]

    @classmethod
    def load(cls, path: Path | None = None) -> Head:
        if path is None:
            text = resources.files("agentshield.engines.injection.data").joinpath(HEAD_FILE)
            return cls.from_dict(json.loads(text.read_text(encoding="utf-8")))
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Head:
        if data.get("format") != FORMAT:
            raise ValueError(f"head file format {data.get('format')!r}, expected {FORMAT}")
        c, f, d = data["classifier"], data["fusion"], data["defaults"]
        return cls(
            classifier=Classifier(
                w1=decode_array(c["w1"]),
                b1=decode_array(c["b1"]),
                w2=decode_array(c["w2"]),
                b2=float(c["b2"]),
            ),
            fusion=Fusion(coef=np.asarray(f["coef"], dtype=np.float64), intercept=f["intercept"]),
            pipeline=data["pipeline"],
            drift_threshold=float(d["drift_threshold"]),
            decision_threshold=float(d["decision_threshold"]),
            fp_cap=float(d["fp_cap"]),
            training=data.get("training", {}),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "pipeline": self.pipeline,
            "classifier": {
                "w1": encode_array(self.classifier.w1),
                "b1": encode_array(self.classifier.b1),
                "w2": encode_array(self.classifier.w2),
                "b2": float(np.float32(self.classifier.b2)),
            },
            "fusion": {
                "features": list(FUSION_FEATURES),
                "coef": [float(v) for v in self.fusion.coef],
                "intercept": float(self.fusion.intercept),
            },
            "defaults": {
                "drift_threshold": self.drift_threshold,
                "decision_threshold": self.decision_threshold,
                "fp_cap": self.fp_cap,
            },
            "training": self.training,
        }

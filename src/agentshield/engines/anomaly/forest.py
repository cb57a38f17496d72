"""IsolationForest over a user's hours, refitted deterministically from stored samples.

Nothing fitted is ever persisted: the profile keeps the feature vectors and these
parameters, and `fit` rebuilds the same forest from them (fixed random_state, one thread).
Loading a pickle from a writable path would let whoever can write there run code; a list of
floats cannot.

Raw scores are `score_samples` (higher is more normal, about -0.4 for a typical hour). They
are turned into standard deviations against the training hours' own scores: the mean raw
score of those hours, minus this hour's, over their standard deviation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import IsolationForest

from agentshield.engines.anomaly.baseline import Baseline

MIN_SPREAD = 0.01  # raw scores of identical hours have no spread at all


@dataclass(frozen=True, slots=True)
class ForestParams:
    n_estimators: int = 100
    max_samples: int = 256
    random_state: int = 0
    version: int = 1  # bump when features or calibration change: old fits are then redone

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ForestParams:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class SpendForest:
    forest: IsolationForest
    baseline: Baseline
    mean_raw: float
    spread: float

    @classmethod
    def fit(cls, samples: np.ndarray, params: ForestParams) -> SpendForest:
        baseline = Baseline.robust(samples)
        forest = IsolationForest(
            n_estimators=params.n_estimators,
            max_samples=min(params.max_samples, len(samples)),
            contamination="auto",
            random_state=params.random_state,
            n_jobs=1,
        ).fit(samples)
        clipped = np.array([baseline.clip_below(x) for x in samples])
        raw = forest.score_samples(clipped)
        return cls(forest, baseline, float(raw.mean()), max(float(raw.std()), MIN_SPREAD))

    def raw(self, x: np.ndarray) -> float:
        return float(self.forest.score_samples(self.baseline.clip_below(x)[None, :])[0])

    def deviation(self, x: np.ndarray) -> float:
        """The larger of the forest's view and the baseline's.

        The forest sees unusual combinations no single feature shows, but every hour beyond
        the most extreme training hour follows the same branches, so its score stops growing
        there: ten times the usual spend isolates no faster than three times. The robust
        baseline keeps growing with the distance.
        """
        isolation = (self.mean_raw - self.raw(x)) / self.spread
        return max(isolation, self.baseline.deviation(x))

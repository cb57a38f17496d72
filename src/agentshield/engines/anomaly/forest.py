"""IsolationForest over a user's hours, refitted deterministically from stored samples.

Nothing fitted is ever persisted: the profile keeps the feature vectors and these
parameters, and `fit` rebuilds the same forest from them (fixed random_state, one thread).
Loading a pickle from a writable path would let whoever can write there run code; a list of
floats cannot.

Raw scores are IsolationForest's `score_samples` (higher is more normal, about -0.4 for a
typical hour). They are turned into standard deviations against the training hours' own
scores: the mean raw score of those hours, minus this hour's, over their standard deviation.

The gateway scores an hour before every call, and `score_samples` spends ~10 ms per call on
input checks and a Python loop over the trees; `PackedTrees` walks all trees at once in
numpy (about 0.15 ms) with the same comparisons and path lengths. It reads the fitted
forest's path-length tables (private attributes of scikit-learn's IsolationForest); a test
compares its scores with `score_samples`, so a scikit-learn upgrade that moves them fails
there, not in production.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from agentshield.engines.anomaly.baseline import Baseline

if TYPE_CHECKING:
    from sklearn.ensemble import IsolationForest

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
class PackedTrees:
    """A fitted forest's trees as flat arrays: tree t's node i at t * width + i.

    A leaf's children are the leaf itself, so every tree can take `steps` steps in lock step.
    """

    left: np.ndarray
    right: np.ndarray
    feature: np.ndarray  # in the caller's feature order (each tree saw its own subset)
    threshold: np.ndarray
    leaf_depth: np.ndarray  # at each leaf: its depth + the average path of its samples - 1
    roots: np.ndarray  # t * width, one per tree
    steps: int
    denominator: float

    @classmethod
    def of(cls, forest: IsolationForest) -> PackedTrees:
        from sklearn.ensemble._iforest import _average_path_length

        trees = [e.tree_ for e in forest.estimators_]
        width = max(t.node_count for t in trees)

        def flat(rows: list[np.ndarray], dtype: type) -> np.ndarray:
            out = np.zeros((len(rows), width), dtype=dtype)
            for i, row in enumerate(rows):
                out[i, : len(row)] = row
            return out.ravel()

        def child(side: np.ndarray) -> np.ndarray:
            return np.where(side == -1, np.arange(len(side)), side)

        features = [
            np.where(t.feature >= 0, np.asarray(f)[np.maximum(t.feature, 0)], 0)
            for t, f in zip(trees, forest.estimators_features_, strict=True)
        ]
        depths = [
            lengths + average - 1.0
            for lengths, average in zip(
                forest._decision_path_lengths, forest._average_path_length_per_tree, strict=True
            )
        ]
        return cls(
            left=flat([child(t.children_left) for t in trees], np.intp),
            right=flat([child(t.children_right) for t in trees], np.intp),
            feature=flat(features, np.intp),
            threshold=flat([t.threshold for t in trees], np.float64),
            leaf_depth=flat(depths, np.float64),
            roots=np.arange(len(trees), dtype=np.intp)[:, None] * width,
            steps=max(t.max_depth for t in trees),
            denominator=len(trees) * float(_average_path_length([forest.max_samples_])[0]),
        )

    def score_samples(self, samples: np.ndarray) -> np.ndarray:
        """What `IsolationForest.score_samples` answers, for rows of `samples`."""
        # sklearn compares float32 inputs with float64 thresholds: so do we.
        x = np.asarray(samples, dtype=np.float32).astype(np.float64)
        columns = np.arange(len(x))[None, :]
        node = np.zeros((len(self.roots), len(x)), dtype=np.intp)  # per tree and sample
        for _ in range(self.steps):
            at = self.roots + node
            goes_left = x[columns, self.feature.take(at)] <= self.threshold.take(at)
            node = np.where(goes_left, self.left.take(at), self.right.take(at))
        depths = self.leaf_depth.take(self.roots + node).sum(axis=0)
        if self.denominator == 0:  # one training sample
            return -np.ones(len(x))
        return -(2.0 ** (-depths / self.denominator))


@dataclass(frozen=True, slots=True)
class SpendForest:
    forest: PackedTrees
    baseline: Baseline
    mean_raw: float
    spread: float

    @classmethod
    def fit(cls, samples: np.ndarray, params: ForestParams) -> SpendForest:
        # Imported here: scikit-learn takes over a second to import, and only fitting
        # needs it (scoring runs on the packed trees), so the CLI and start-up skip it.
        from sklearn.ensemble import IsolationForest

        baseline = Baseline.robust(samples)
        forest = IsolationForest(
            n_estimators=params.n_estimators,
            max_samples=min(params.max_samples, len(samples)),
            contamination="auto",
            random_state=params.random_state,
            n_jobs=1,
        ).fit(samples)
        packed = PackedTrees.of(forest)
        clipped = np.array([baseline.clip_below(x) for x in samples])
        raw = packed.score_samples(clipped)
        return cls(packed, baseline, float(raw.mean()), max(float(raw.std()), MIN_SPREAD))

    def raw(self, x: np.ndarray) -> float:
        return float(self.forest.score_samples(self.baseline.clip_below(x)[None, :])[0])

    def deviation(self, x: np.ndarray, raw: float) -> float:
        """The larger of the forest's view (`raw`: `self.raw(x)`) and the baseline's.

        The forest sees unusual combinations no single feature shows, but every hour beyond
        the most extreme training hour follows the same branches, so its score stops growing
        there: ten times the usual spend isolates no faster than three times. The robust
        baseline keeps growing with the distance.
        """
        isolation = (self.mean_raw - raw) / self.spread
        return max(isolation, self.baseline.deviation(x))

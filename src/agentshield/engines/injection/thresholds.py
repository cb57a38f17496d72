"""Choosing a threshold under a false-positive cap.

A text is flagged when its score is >= the threshold. With clean scores only, the threshold
is the lowest one that flags at most `fp_cap` of them. With injected scores too, it is the
highest one that still catches as many injected texts as that lowest one does: the same
detection rate with the widest margin for clean text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class FittedThreshold:
    threshold: float
    false_positive_rate: float  # on the clean scores it was fitted on
    true_positive_rate: float | None  # on the injected scores, when given


def fit(
    clean: Sequence[float] | np.ndarray,
    injected: Sequence[float] | np.ndarray | None = None,
    *,
    fp_cap: float,
) -> FittedThreshold:
    if not 0.0 <= fp_cap < 1.0:
        raise ValueError(f"fp_cap must be in [0, 1), got {fp_cap}")
    negatives = np.sort(np.asarray(clean, dtype=np.float64))[::-1]
    if negatives.size == 0:
        raise ValueError("at least one clean score is needed")
    allowed = math.floor(fp_cap * negatives.size + 1e-9)
    # Just above the highest clean score that must not be flagged.
    lowest = (
        float(np.nextafter(negatives[allowed], math.inf))
        if allowed < negatives.size
        else (float(negatives[-1]))
    )
    threshold = lowest
    tpr = None
    if injected is not None and len(injected) > 0:
        positives = np.asarray(injected, dtype=np.float64)
        caught = positives[positives >= lowest]
        if caught.size:
            threshold = float(caught.min())
        tpr = float(caught.size / positives.size)
    fpr = float(np.mean(negatives >= threshold))
    return FittedThreshold(threshold, fpr, tpr)

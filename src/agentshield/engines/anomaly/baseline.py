"""Distance of one hour from the user's hours, in standard deviations, one feature at a time.

Only rises count: an hour cheaper or quieter than usual is not a spend anomaly. The scale of
each feature has a floor, so a user whose hours are all alike (or who has few of them) does
not turn a small wobble into many standard deviations.

Spend, requests and average cost measure volume; the largest of their deviations is the
hour's deviation. Working at an hour the user never works, or on models they never use, does
not alarm on its own (a late evening at the usual spend is no spend anomaly) but multiplies a
volume deviation by up to 1.5 each: a burst at 3 a.m. is more suspect than one at noon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agentshield.engines.anomaly.features import FEATURES

# Log-scale floors: 0.25 is a spread of about 28% an hour.
SCALE_FLOORS = np.array([0.25, 0.2, 0.25, 0.1, 1.0])
VOLUME = slice(0, 3)
SHIFT, OFF_HOURS = 3, 4
CONTEXT_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Baseline:
    center: np.ndarray
    scale: np.ndarray

    @classmethod
    def standard(cls, samples: np.ndarray) -> Baseline:
        """Mean and standard deviation: what few samples allow."""
        return cls(samples.mean(axis=0), np.maximum(samples.std(axis=0), SCALE_FLOORS))

    @classmethod
    def robust(cls, samples: np.ndarray) -> Baseline:
        """Median and MAD (scaled to a standard deviation): past bursts do not widen it."""
        center = np.median(samples, axis=0)
        mad = 1.4826 * np.median(np.abs(samples - center), axis=0)
        return cls(center, np.maximum(mad, SCALE_FLOORS))

    def deviations(self, x: np.ndarray) -> dict[str, float]:
        """Per feature, how many standard deviations above the baseline (0 when below)."""
        d = np.maximum(0.0, (x - self.center) / self.scale)
        return {name: round(float(v), 4) for name, v in zip(FEATURES, d, strict=True)}

    def deviation(self, x: np.ndarray) -> float:
        d = np.maximum(0.0, (x - self.center) / self.scale)
        # A model mix counts as changed once it is 2 SD past the user's usual churn.
        shift = float(np.clip(x[SHIFT] - self.center[SHIFT] - 2 * self.scale[SHIFT], 0, 1))
        context = 1.0 + CONTEXT_WEIGHT * (float(x[OFF_HOURS]) + shift)
        return float(d[VOLUME].max()) * context

    def clip_below(self, x: np.ndarray) -> np.ndarray:
        """`x` with volume features raised to the center: only rises may look unusual."""
        out = x.copy()
        out[VOLUME] = np.maximum(out[VOLUME], self.center[VOLUME])
        return out
